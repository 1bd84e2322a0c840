"""The Redis side of one quota across nodes: a Lua script run atomically per counted message.

Keys (hash-tagged by account, so one account's keys share a Redis Cluster slot):
  ``{prefix}:{<account>}:b`` a hash of minute buckets: field ``a:<CC>:<minute>`` holds the
      accepted ``messages,recipients`` from country CC in that minute, ``v:<CC>:<minute>`` the
      part of them behaviour analysis vouched for (the caps do not count it, as
      policy.usage.Usage.cap_totals). The hour and the day are sums over the minutes
      ``minute-59..minute`` and ``minute-1439..minute``, as policy.usage.RollingWindow keeps them.
      ``A:<CC>:<hour>`` / ``V:<CC>:<hour>`` hold the same per clock hour, ``c`` the countries
      seen, ``t`` the newest minute already gone from the day (swept). A small hash (most
      accounts) is read whole; past BIG fields (an account busy all day) the script reads the
      last hour by minutes and the rest of the day by whole hours plus the minutes of its
      oldest, partial hour — the same sums, in ~150 fields per country instead of 1,440.
  ``{prefix}:{<account>}:s`` the account's suspension: ``by<TAB>reason<TAB>since<TAB>until``.
  ``{prefix}:{<account>}:r`` the newest release (audit id) applied: each release starts the
      windows afresh once, whichever node (or audit sync) asks first.

Operations (ARGV[1]):
  decide  refuse if suspended; else find the worst limit one more message would pass (the
          account quota, then each cap the node says applies, the more severe action wins as in
          policy.engine); add the message unless that limit refuses it; at a "suspend" limit set
          the suspension and PUBLISH it in the same step.
  add     add counts without a check (what a node accepted alone while Redis was away).
  seed    raise buckets to at least the given counts (after Redis lost its data).
  suspend / release  staff actions: set the suspension / delete it and the buckets (afresh).

Every field read is range-checked: a minute older than a day, more than MAX_SKEW minutes ahead
of the caller's clock, a count above the maximum or a malformed field is dropped, never counted
or trusted to lift a limit.
"""

LUA = r"""
local op = ARGV[1]
local DAY, HOUR = 1440, 60
local SEV = {filter = 1, hold = 2, defer = 3, reject = 4, suspend = 5}
local TTL = (DAY + 60) * 60

local function quota(csv)
  local a, b, c, d = string.match(csv, "^(-?%d+),(-?%d+),(-?%d+),(-?%d+)$")
  return {tonumber(a), tonumber(b), tonumber(c), tonumber(d)}
end

local function over(q, hm, hr, dm, dr, rcpts)
  if q[1] >= 0 and hm + 1 > q[1] then return "messages_per_hour" end
  if q[2] >= 0 and dm + 1 > q[2] then return "messages_per_day" end
  if q[3] >= 0 and hr + rcpts > q[3] then return "recipients_per_hour" end
  if q[4] >= 0 and dr + rcpts > q[4] then return "recipients_per_day" end
  return nil
end

local BIG = 256  -- fields: past this, read the day by hours (see read_some)

local function drop(fields)
  for i = 1, #fields, 500 do
    redis.call('HDEL', KEYS[1], unpack(fields, i, math.min(i + 499, #fields)))
  end
end

local function pair(v, maxval)
  if not v then return nil end
  local m, r = string.match(v, "^(%d+),(%d+)$")
  m, r = tonumber(m), tonumber(r)
  if not m or m > maxval or r > maxval then return nil end
  return m, r
end

-- {kind -> {cc -> {hm, hr, dm, dr}}} of the last day; small hashes: every field, junk dropped
local function read_all(minute, skew, maxval)
  local all = redis.call('HGETALL', KEYS[1])
  local t = {a = {}, v = {}}
  local dead = {}
  local oldest_hour = math.floor((minute - DAY + 1) / 60)
  for i = 1, #all, 2 do
    local f = all[i]
    local kind, cc, n = string.match(f, "^([avAV]):(%u%u):(%d+)$")
    n = tonumber(n)
    if kind == "A" or kind == "V" then
      if not n or n < oldest_hour or n > math.floor((minute + skew) / 60) then dead[#dead + 1] = f end
    elseif f ~= "c" and f ~= "t" then
      local m, r = pair(all[i + 1], maxval)
      if not kind or not m or not n or n <= minute - DAY or n > minute + skew then
        dead[#dead + 1] = f
      else
        local c = t[kind][cc]
        if not c then c = {0, 0, 0, 0}; t[kind][cc] = c end
        if n > minute - HOUR then c[1] = c[1] + m; c[2] = c[2] + r end
        c[3] = c[3] + m; c[4] = c[4] + r
      end
    end
  end
  if #dead > 0 then drop(dead) end
  redis.call('HSET', KEYS[1], 't', minute - DAY)
  return t
end

-- Big hashes (an account busy all day): the last hour by minutes, the day by whole clock hours
-- (A:/V: fields, kept with the minutes) plus the minutes of its oldest, partial hour. Minutes
-- that left the day since the last sweep (field t) are deleted here.
local function read_some(minute, skew, maxval, with_vouched)
  local countries = redis.call('HGET', KEYS[1], 'c') or ""
  local first = minute - DAY + 1
  local h0 = math.floor(first / 60)
  local swept = tonumber(redis.call('HGET', KEYS[1], 't') or "") or (minute - DAY - 60)
  swept = math.max(swept, minute - DAY - 1500)
  local dead = {}
  for cc in string.gmatch(countries, "%u%u") do
    for n = swept + 1, minute - DAY do
      dead[#dead + 1] = "a:" .. cc .. ":" .. n
      dead[#dead + 1] = "v:" .. cc .. ":" .. n
    end
    for h = math.floor((swept + 1) / 60) - 1, h0 - 1 do
      dead[#dead + 1] = "A:" .. cc .. ":" .. h
      dead[#dead + 1] = "V:" .. cc .. ":" .. h
    end
  end
  if #dead > 0 then drop(dead) end
  redis.call('HSET', KEYS[1], 't', minute - DAY)
  local t = {a = {}, v = {}}
  local kinds = with_vouched and {"a", "v"} or {"a"}
  local last_hour = math.floor((minute + skew) / 60)
  for cc in string.gmatch(countries, "%u%u") do
    for _, kind in ipairs(kinds) do
      local hk = string.upper(kind)
      -- names[1..day_only]: the day only (its oldest partial hour by minutes, then whole hours
      -- before the hour window); the rest count in the hour and the day (the window's part of
      -- the previous clock hour by minutes, then the current hour, and the next within skew).
      local hm = math.floor(minute / 60)
      local names = {}
      for n = first, 60 * h0 + 59 do names[#names + 1] = kind .. ":" .. cc .. ":" .. n end
      for h = h0 + 1, hm - 2 do names[#names + 1] = hk .. ":" .. cc .. ":" .. h end
      for n = 60 * (hm - 1), minute - HOUR do names[#names + 1] = kind .. ":" .. cc .. ":" .. n end
      local day_only = #names
      for n = minute - HOUR + 1, 60 * hm - 1 do names[#names + 1] = kind .. ":" .. cc .. ":" .. n end
      for h = hm, last_hour do names[#names + 1] = hk .. ":" .. cc .. ":" .. h end
      local values = redis.call('HMGET', KEYS[1], unpack(names))
      local c = {0, 0, 0, 0}
      for i = 1, #names do
        local m, r = pair(values[i], maxval * 60)
        if m then
          if i > day_only then c[1] = c[1] + m; c[2] = c[2] + r end
          c[3] = c[3] + m; c[4] = c[4] + r
        end
      end
      t[kind][cc] = c
    end
  end
  return t
end

local function read(minute, skew, maxval, with_vouched)
  if redis.call('HLEN', KEYS[1]) <= BIG then return read_all(minute, skew, maxval) end
  return read_some(minute, skew, maxval, with_vouched)
end

local function incr(field, m, r, maxval)
  local om, orr = pair(redis.call('HGET', KEYS[1], field), maxval)
  redis.call('HSET', KEYS[1], field, math.min((om or 0) + m, maxval) .. "," .. math.min((orr or 0) + r, maxval))
end

-- Count at a minute: its minute field, its clock hour's field, and the country in the list.
local function add(kind, cc, n, m, r, maxval)
  incr(kind .. ":" .. cc .. ":" .. n, m, r, maxval)
  incr(string.upper(kind) .. ":" .. cc .. ":" .. math.floor(n / 60), m, r, maxval * 60)
  local c = redis.call('HGET', KEYS[1], 'c') or ""
  if not string.find(c, cc, 1, true) then redis.call('HSET', KEYS[1], 'c', c == "" and cc or c .. "," .. cc) end
end

local function suspended(now)
  local v = redis.call('GET', KEYS[2])
  if not v then return nil end
  local u = tonumber(string.match(v, "\t([%d%.]*)$") or "")
  if u and u <= now then
    redis.call('DEL', KEYS[2])
    return nil
  end
  return v
end

if op == "decide" then
  -- minute, now, country, rcpts, vouched, account quota, on_limit, channel, account, skew, maxval, ncaps, caps...
  local minute, now, country = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
  local rcpts, vouched = tonumber(ARGV[5]), ARGV[6] == "1"
  local skew, maxval = tonumber(ARGV[11]), tonumber(ARGV[12])
  local s = suspended(now)
  if s then return {2, s} end
  local t = read(minute, skew, maxval, tonumber(ARGV[13]) > 0)
  local hm, hr, dm, dr = 0, 0, 0, 0
  for _, c in pairs(t.a) do hm = hm + c[1]; hr = hr + c[2]; dm = dm + c[3]; dr = dr + c[4] end
  local worst_action, worst_reason, worst_cap = nil, "", 0
  local o = over(quota(ARGV[7]), hm, hr, dm, dr, rcpts)
  if o then worst_action, worst_reason = ARGV[8], "quota:" .. o end
  local n = tonumber(ARGV[13])
  for i = 0, n - 1 do
    local name, action, codes, q = ARGV[14 + 4 * i], ARGV[15 + 4 * i], ARGV[16 + 4 * i], ARGV[17 + 4 * i]
    -- codes: "=CC" one country; "!A,B,…" every country but these (the abroad cap)
    local set, only = {}, string.sub(codes, 1, 1) == "="
    for code in string.gmatch(string.sub(codes, 2), "%u%u") do set[code] = true end
    local m1, r1, m2, r2 = 0, 0, 0, 0
    for cc, c in pairs(t.a) do
      if (only and set[cc]) or (not only and not set[cc]) then
        local vc = t.v[cc] or {0, 0, 0, 0}
        m1 = m1 + c[1] - vc[1]; r1 = r1 + c[2] - vc[2]; m2 = m2 + c[3] - vc[3]; r2 = r2 + c[4] - vc[4]
      end
    end
    o = over(quota(q), m1, r1, m2, r2, rcpts)
    if o and (worst_action == nil or SEV[action] > SEV[worst_action]) then
      worst_action, worst_reason, worst_cap = action, name .. ":" .. o, 1
    end
  end
  if worst_action == nil or worst_action == "hold" or worst_action == "filter" then
    add("a", country, minute, 1, rcpts, maxval)
    if vouched then add("v", country, minute, 1, rcpts, maxval) end
    redis.call('EXPIRE', KEYS[1], TTL)
    return {0, worst_action or "", worst_reason, worst_cap}
  end
  if worst_action == "suspend" then
    local value = "auto\t" .. worst_reason .. "\t" .. ARGV[3] .. "\t"
    redis.call('SET', KEYS[2], value)
    redis.call('PUBLISH', ARGV[9], "S\t" .. ARGV[10] .. "\t" .. value)
  end
  return {1, worst_action, worst_reason, worst_cap}
elseif op == "add" then
  -- minute now, skew, maxval, then (field, messages, recipients)...
  local minute, skew, maxval = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
  for i = 5, #ARGV, 3 do
    local kind, cc, n = string.match(ARGV[i], "^([av]):(%u%u):(%d+)$")
    n = tonumber(n)
    if n and n > minute - DAY and n <= minute + skew then
      add(kind, cc, n, tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), maxval)
    end
  end
  redis.call('EXPIRE', KEYS[1], TTL)
  return {0}
elseif op == "seed" then
  local minute, skew, maxval = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
  for i = 5, #ARGV, 3 do
    local kind, cc, n = string.match(ARGV[i], "^([av]):(%u%u):(%d+)$")
    n = tonumber(n)
    if n and n > minute - DAY and n <= minute + skew then
      local om, orr = pair(redis.call('HGET', KEYS[1], ARGV[i]), maxval)
      om, orr = om or 0, orr or 0
      local m, r = math.min(tonumber(ARGV[i + 1]), maxval), math.min(tonumber(ARGV[i + 2]), maxval)
      if m > om or r > orr then  -- raised to the node's view: the hour's field by as much
        add(kind, cc, n, math.max(m - om, 0), math.max(r - orr, 0), maxval)
      end
    end
  end
  redis.call('EXPIRE', KEYS[1], TTL)
  return {0}
elseif op == "suspend" then
  -- value, channel, account, only_if_absent
  if ARGV[5] == "1" then
    if redis.call('SET', KEYS[2], ARGV[2], 'NX') == false then return {0} end
  else
    redis.call('SET', KEYS[2], ARGV[2])
  end
  redis.call('PUBLISH', ARGV[3], "S\t" .. ARGV[4] .. "\t" .. ARGV[2])
  return {1}
elseif op == "release" then
  -- channel, account, release id, node: once per release, whichever node asks first
  local id = tonumber(ARGV[4])
  if (tonumber(redis.call('GET', KEYS[3]) or "0") or 0) >= id then return {0} end
  redis.call('SET', KEYS[3], ARGV[4], 'EX', TTL)
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('PUBLISH', ARGV[2], "R\t" .. ARGV[3] .. "\t" .. ARGV[4] .. "\t" .. ARGV[5])
  return {1}
end
return redis.error_reply("unknown operation")
"""
