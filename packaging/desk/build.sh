#!/bin/sh
# Build the desk app as one folder with PyInstaller.
#   packaging/desk/build.sh [DIST_DIR]      (default: dist/desk)
# Uses the project's virtualenv (.venv, or $PYTHON); installs PyInstaller there if missing.
# Result: DIST_DIR/fumidai-desk/fumidai-desk (fumidai-desk.exe on Windows).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DIST=${1:-"$REPO/dist/desk"}
PYTHON=${PYTHON:-"$REPO/.venv/bin/python"}
[ -x "$PYTHON" ] || PYTHON="$REPO/.venv/Scripts/python.exe"   # Git Bash on Windows
[ -x "$PYTHON" ] || { echo "build.sh: no virtualenv python at $REPO/.venv; set PYTHON" >&2; exit 2; }

if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "build.sh: installing PyInstaller into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
    "$PYTHON" -m pip install --quiet "pyinstaller>=6.10"
fi

mkdir -p "$DIST"
DIST=$(cd "$DIST" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fumidai-desk-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Icons: PNG for Linux (and the .desktop file), ICO for Windows, both drawn by Qt from the SVG.
QT_QPA_PLATFORM=offscreen "$PYTHON" "$HERE/render_icons.py" "$WORK/icons"

FUMIDAI_ICON_DIR="$WORK/icons" "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK/build" "$HERE/fumidai-desk.spec"

cp "$HERE/fumidai-desk.desktop" "$WORK/icons/fumidai.png" "$DIST/fumidai-desk/"
echo "build.sh: built $DIST/fumidai-desk ($(du -sh "$DIST/fumidai-desk" | cut -f1))"
