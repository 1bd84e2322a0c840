"""Bundled data files: templates, GeoIP demo ranges, world map, translations, icons."""
