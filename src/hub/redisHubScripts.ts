/** The Lua scripts the Redis hub runs, each atomic on the server. */

/**
 * Stores each of a batch of events unless its id was stored before, atomically,
 * in one script run: the id is checked (SET NX, with a TTL) and the event
 * appended (XADD, trimmed to the retention) and mapped to its entry id. An event
 * produced twice — an OTLP retry that reached two instances — is therefore
 * stored once. The script also keeps one writer per session: the instance that
 * stores a session's start owns it (a lease it renews), another instance's
 * events for it are not stored, and after the terminal event (or a sweep)
 * nothing is. Returns, per event, its entry id or false.
 *
 * KEYS: stream, open, then per event: event, lease, origin, ended.
 * ARGV: ttl s, maxlen, instance id, lease ms, then per event: event id, session id, role, json, owner
 * ('' for none: the entry then has no `o` field), phrases (JSON; '' for none: no `p` field).
 */
export const APPEND_ONCE = `
local results = {}
-- Per session, within this batch: may its events be stored, and was its lease renewed yet.
local allowedFor, renewed = {}, {}
local n = (#KEYS - 2) / 4
local function append(eventId, session, json, owner, phrases)
  local args = {'XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'i', eventId, 's', session, 'e', json}
  if owner ~= '' then
    args[#args + 1] = 'o'
    args[#args + 1] = owner
  end
  if phrases ~= '' then
    args[#args + 1] = 'p'
    args[#args + 1] = phrases
  end
  return redis.call(unpack(args))
end
for e = 0, n - 1 do
  local eventKey, lease, origin, ended = KEYS[3 + e * 4], KEYS[4 + e * 4], KEYS[5 + e * 4], KEYS[6 + e * 4]
  local eventId, session, role, json, owner, phrases = ARGV[5 + e * 6], ARGV[6 + e * 6], ARGV[7 + e * 6], ARGV[8 + e * 6], ARGV[9 + e * 6], ARGV[10 + e * 6]
  local id = false
  local allowed = allowedFor[session]
  if allowed == nil or role == 'started' then
    allowed = redis.call('EXISTS', ended) == 0
    if allowed then
      local owner = redis.call('GET', lease)
      if owner then
        allowed = owner == ARGV[3]
      elseif role ~= 'started' then
        allowed = redis.call('GET', origin) == ARGV[3]
      end
    end
    allowedFor[session] = allowed
  end
  if allowed and redis.call('SET', eventKey, '', 'NX', 'EX', ARGV[1]) then
    id = append(eventId, session, json, owner, phrases)
    redis.call('SET', eventKey, id, 'EX', ARGV[1])
    if role == 'terminal' then
      redis.call('SET', ended, '1', 'EX', ARGV[1])
      redis.call('DEL', lease, origin)
      redis.call('SREM', KEYS[2], session)
      allowedFor[session] = false
    elseif not renewed[session] then
      redis.call('SET', lease, ARGV[3], 'PX', ARGV[4])
      redis.call('SET', origin, ARGV[3], 'EX', ARGV[1])
      renewed[session] = true
    end
    if role == 'started' then redis.call('SADD', KEYS[2], session) end
  end
  results[e + 1] = id
end
return results`;

/** KEYS: leases of the sessions this instance owns. ARGV: instance id, lease ms. */
export const RENEW = `
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
end
return 0`;

/**
 * Ends a session whose lease lapsed, once: only if the lease is still gone and
 * the session not ended, appends its closing events and marks it ended.
 * KEYS: stream, lease, origin, ended, open. ARGV: ttl s, maxlen, session id, owner ('' for none), then (event id, json,
 * phrases JSON or '') triples.
 */
export const SWEEP = `
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
for i = 5, #ARGV, 3 do
  local args = {'XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'i', ARGV[i], 's', ARGV[3], 'e', ARGV[i + 1]}
  if ARGV[4] ~= '' then
    args[#args + 1] = 'o'
    args[#args + 1] = ARGV[4]
  end
  if ARGV[i + 2] ~= '' then
    args[#args + 1] = 'p'
    args[#args + 1] = ARGV[i + 2]
  end
  redis.call(unpack(args))
end
redis.call('SET', KEYS[4], '1', 'EX', ARGV[1])
redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[5], ARGV[3])
return 1`;
