-- wrk script for vigil serve's POST /v1/score: every request a customer and a terminal never seen before, a second of
-- event time apart, as an attacker or a careless client would send them: the server's state must stay bounded
-- (--max-entities) however long it runs.
--   wrk -t1 -c32 -d60s -s bench/wrk/unique.lua http://127.0.0.1:5059
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local start = os.time({year = 2018, month = 4, day = 1, hour = 0})
local threads = {}

function setup(thread)
  thread:set("ids", #threads * 1000000000)
  table.insert(threads, thread)
end

counter = 0
function request()
  counter = counter + 1
  local body = string.format(
    '{"timestamp":"%s","customer_id":%d,"terminal_id":%d,"amount":%d.5}',
    os.date("!%Y-%m-%dT%H:%M:%SZ", start + counter), ids + counter, ids + counter, 20 + counter % 200)
  return wrk.format(nil, "/v1/score", nil, body)
end
