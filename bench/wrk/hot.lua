-- wrk script for vigil serve's POST /v1/score: one customer at one terminal, a second of event time apart, without
-- end (a card being tested): its history is bounded (--max-events-per-entity), and with it the cost of each request.
--   wrk -t1 -c32 -d60s -s bench/wrk/hot.lua http://127.0.0.1:5059
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local start = os.time({year = 2018, month = 4, day = 1, hour = 0})

counter = 0
function request()
  counter = counter + 1
  local body = string.format(
    '{"timestamp":"%s","customer_id":7,"terminal_id":8,"amount":%d.5}', os.date("!%Y-%m-%dT%H:%M:%SZ", start + counter), 20 + counter % 200)
  return wrk.format(nil, "/v1/score", nil, body)
end
