-- wrk script for vigil serve's POST /v1/score: a different transaction per request, over 5,000 customers and
-- 10,000 terminals, 8.64 s of event time apart (10,000 a day, the simulator's density), so the server's live feature
-- state slides its windows as a stream's would and each card and terminal keeps a realistic history.
--   wrk -t1 -c32 -d15s --latency -s bench/wrk/score.lua http://127.0.0.1:5059
-- Each run goes on where the last one stopped (the count is kept in $VIGIL_WRK_STATE, /tmp/vigil-wrk-score.state by
-- default): a run that started over would send transactions older than the server's clock, which it counts as late
-- and holds at its clock, so the windows would stop sliding and the histories grow. Delete the file with a new server.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
-- With VIGIL_WRK_KEY set (serve.sh then gives the server that key with role score), each request carries it.
local key = os.getenv("VIGIL_WRK_KEY")
if key and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
local state = os.getenv("VIGIL_WRK_STATE") or "/tmp/vigil-wrk-score.state"
local start = os.time({year = 2018, month = 4, day = 1, hour = 0})
local threads = {}

function setup(thread)
  local file = io.open(state, "r")
  local first = file and tonumber(file:read("*l")) or 0
  if file then file:close() end
  thread:set("first", first)
  thread:set("ids", #threads * 1000000000)
  table.insert(threads, thread)
end

counter = 0
function request()
  counter = counter + 1
  local n = first + counter
  local body = string.format(
    '{"transaction_id":%d,"timestamp":"%s","customer_id":%d,"terminal_id":%d,"amount":%d.5}',
    ids + n, os.date("!%Y-%m-%dT%H:%M:%SZ", start + math.floor(n * 8.64)), n % 5000, n % 10000, 20 + n % 200)
  return wrk.format(nil, "/v1/score", nil, body)
end

function done(summary, latency, requests)
  local last = 0
  for _, thread in ipairs(threads) do
    last = math.max(last, thread:get("first") + thread:get("counter"))
  end
  local file = io.open(state, "w")
  file:write(last, "\n")
  file:close()
end
