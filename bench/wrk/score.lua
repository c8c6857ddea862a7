-- wrk script for vigil serve's POST /v1/score: a different transaction per request, over 5,000 customers and
-- 10,000 terminals, so the server's live feature state is exercised as a stream would.
--   wrk -t1 -c32 -d15s --latency -s bench/wrk/score.lua http://127.0.0.1:5059
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"transaction_id":%d,"timestamp":"2018-09-01T10:00:00Z","customer_id":%d,"terminal_id":%d,"amount":%d.5}',
    counter, counter % 5000, counter % 10000, 20 + counter % 200)
  return wrk.format(nil, "/v1/score", nil, body)
end
