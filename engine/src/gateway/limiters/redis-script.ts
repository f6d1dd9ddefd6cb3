/**
 * One Lua script decides every limit of a request atomically in Redis, so several gateway instances
 * share each limit as one: it reads each limit's state, decides them all, and writes them only when all
 * allow (a refusal by one spends nothing of the others, as in memory). Each algorithm here is the
 * in-memory one line for line (token-bucket.ts, leaky-bucket.ts, fixed-window.ts,
 * sliding-window-counter.ts, gcra.ts): the same numbers give the same decision, which a test holds it to.
 * Numbers are written with 17 significant digits, so a state read back is exactly the one written; each
 * key expires a grace (TTL_GRACE_MS) after its state would be back to new, so Redis drops idle keys by itself.
 *
 * KEYS: one state key per limit. ARGV: now (ms), the limit count, then per limit its code and three
 * parameters (ALGORITHM_ARGS). Reply: per limit allowed (1/0), remaining, reset ms, retry ms, level, delay ms.
 */
import type { LimitSpec } from '../../config/gateway/rate-limit.ts';
import { SHARED_ALGORITHMS, type SharedAlgorithm } from './limiter-ids.ts';

export function isShared(spec: LimitSpec): spec is Extract<LimitSpec, { algorithm: SharedAlgorithm }> {
  return (SHARED_ALGORITHMS as readonly string[]).includes(spec.algorithm);
}

/** The script's code and three numbers for a limit, derived exactly as the in-memory algorithm derives them. */
export function algorithmArgs(spec: Extract<LimitSpec, { algorithm: SharedAlgorithm }>): [string, number, number, number] {
  switch (spec.algorithm) {
    case 'token-bucket': {
      const burst = spec.burst ?? Math.max(1, Math.ceil(spec.rate));
      return ['tb', spec.rate, burst * 1000, 0];
    }
    case 'leaky-bucket':
      return ['lb', Math.floor(spec.rate * 1000 + 1e-6), (spec.burst ?? 0) * 1000, spec.nodelay ? -1 : (spec.delay ?? 0) * 1000];
    case 'fixed-window':
      return ['fw', spec.limit, spec.window, 0];
    case 'sliding-window-counter':
      return ['swc', spec.limit, spec.window, 0];
    case 'gcra': {
      const period = 1000 / spec.rate;
      return ['gcra', period, period * (spec.burst ?? 0), 0];
    }
  }
}

/**
 * How much longer than its state needs a key is kept in Redis. A key's TTL runs on Redis's clock but is
 * computed from the caller's `now`: the grace covers clocks of instances that differ by a little, and a
 * caller that pauses between two requests. Keeping a key longer changes no decision (each algorithm
 * treats a state old enough as new), so this only costs memory for a few seconds.
 */
export const TTL_GRACE_MS = 5000;

export const LIMITS_SCRIPT = `
local now = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
local EPSILON = 1e-6
local GRACE = ${TTL_GRACE_MS}
local function num(x) return string.format('%.17g', x) end
local function ttl(ms) return math.max(1, math.ceil(ms)) + GRACE end

local decisions = {}
local writes = {}
local all = true
for i = 1, count do
  local at = 2 + (i - 1) * 4
  local code = ARGV[at + 1]
  local a = tonumber(ARGV[at + 2])
  local b = tonumber(ARGV[at + 3])
  local c = tonumber(ARGV[at + 4])
  local key = KEYS[i]
  local d
  local w

  if code == 'tb' then
    -- a: tokens a second; b: capacity in thousandths
    local s = redis.call('HMGET', key, 'm', 'l')
    local milli = tonumber(s[1]) or b
    local last = tonumber(s[2]) or now
    local level = math.min(b, milli + a * math.max(0, now - last))
    local function untilLevel(from, target) return math.max(0, math.ceil((target - from) / a - EPSILON)) end
    if level < 1000 - EPSILON then
      local wait = untilLevel(level, 1000)
      d = {0, 0, wait, wait, level / 1000, 0}
    else
      local after = math.max(0, level - 1000)
      local whole = math.floor(after / 1000 + EPSILON)
      local reset = 0
      if after < b - EPSILON then reset = untilLevel(after, (whole + 1) * 1000) end
      d = {1, whole, reset, 0, after / 1000, 0}
      w = {{'m', num(after), 'l', num(now)}, ttl((b - after) / a)}
    end

  elseif code == 'lb' then
    -- nginx limit_req. a: rate in thousandths a second; b: burst * 1000; c: delay * 1000, or -1 for nodelay
    local t = math.floor(now)
    local s = redis.call('HMGET', key, 'e', 'l')
    local excess = tonumber(s[1]) or 0
    local last = tonumber(s[2])
    local delayMilli = c
    if c < 0 then delayMilli = math.huge end
    local ms
    local left
    if last == nil then
      ms = math.huge
      left = -math.huge
    else
      ms = t - last
      if ms < -60000 then ms = 1 elseif ms < 0 then ms = 0 end
      left = excess - math.floor(a * ms / 1000)
    end
    local function untilDrained(milli)
      if milli <= 0 then return 0 end
      return math.ceil(milli * 1000 / a)
    end
    local e = math.max(0, left + 1000)
    if e > b then
      local wait = untilDrained(left + 1000 - b)
      d = {0, 0, wait, wait, e / 1000, 0}
    else
      local delay = 0
      if e > delayMilli then delay = math.floor((e - delayMilli) * 1000 / a) end
      local remaining = math.floor((b - e) / 1000)
      local reset = untilDrained(e - (b - 1000 * (remaining + 1)))
      d = {1, remaining, reset, 0, e / 1000, delay}
      local newLast = t
      if ms == 0 then newLast = last end
      w = {{'e', num(e), 'l', num(newLast)}, ttl(untilDrained(e + 1000))}
    end

  elseif code == 'fw' then
    -- a: limit; b: window ms
    local start = math.floor(now / b) * b
    local s = redis.call('HMGET', key, 's', 'c')
    local n = 0
    if tonumber(s[1]) == start then n = tonumber(s[2]) end
    local reset = start + b - now
    if n >= a then
      d = {0, 0, reset, reset, n, 0}
    else
      d = {1, a - n - 1, reset, 0, n + 1, 0}
      w = {{'s', num(start), 'c', num(n + 1)}, ttl(reset)}
    end

  elseif code == 'swc' then
    -- a: limit; b: window ms
    local start = math.floor(now / b) * b
    local s = redis.call('HMGET', key, 's', 'p', 'c')
    local stored = tonumber(s[1])
    local previous = 0
    local current = 0
    if stored == start then
      previous = tonumber(s[2])
      current = tonumber(s[3])
    elseif stored == start - b then
      previous = tonumber(s[3])
    end
    local elapsed = now - start
    local function untilEstimate(prev, cur, target)
      local left = b - elapsed
      if cur <= target then
        if prev == 0 then return 0 end
        return math.ceil(math.max(0, math.min(left, left - ((target - cur) * b) / prev)))
      end
      return math.ceil(left + b - (target * b) / cur)
    end
    local weighted = previous * (b - elapsed)
    if weighted + (current + 1) * b > a * b then
      local wait = untilEstimate(previous, current, a - 1)
      d = {0, 0, wait, wait, weighted / b + current, 0}
    else
      local estimate = weighted / b + current + 1
      local remaining = math.max(0, math.floor(a - estimate))
      d = {1, remaining, untilEstimate(previous, current + 1, a - remaining - 1), 0, estimate, 0}
      w = {{'s', num(start), 'p', num(previous), 'c', num(current + 1)}, ttl(start + 2 * b - now)}
    end

  elseif code == 'gcra' then
    -- a: period ms; b: tolerance ms
    local tat = math.max(tonumber(redis.call('HGET', key, 't')) or -math.huge, now)
    if tat - now > b + EPSILON then
      local wait = math.ceil(tat - b - now - EPSILON)
      d = {0, 0, wait, wait, tat - now, 0}
    else
      local nextTat = tat + a
      local ahead = nextTat - now
      local remaining = 0
      if ahead <= b + EPSILON then remaining = math.floor((b - ahead) / a + EPSILON) + 1 end
      d = {1, remaining, math.max(0, math.ceil(ahead - b + remaining * a - EPSILON)), 0, ahead, 0}
      w = {{'t', num(nextTat)}, ttl(ahead)}
    end
  else
    return redis.error_reply('unknown limit code ' .. tostring(code))
  end

  decisions[i] = d
  writes[i] = w
  if d[1] == 0 then all = false end
end

if all then
  for i = 1, count do
    redis.call('HSET', KEYS[i], unpack(writes[i][1]))
    redis.call('PEXPIRE', KEYS[i], writes[i][2])
  end
end

local reply = {}
for i = 1, count do
  for j = 1, 6 do reply[#reply + 1] = num(decisions[i][j]) end
end
return reply
`;
