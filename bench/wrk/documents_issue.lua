-- Issuing outgoing documents (POST /api/v1/documents/outgoing/{id}/issue/): a document is
-- issued once, so every line of BENCH_PATHS (METHOD<tab>path<tab>Authorization<tab>body) is
-- sent at most once over all the wrk runs of the benchmark.
--
-- Reuses paths.lua (status check, pacing, the BENCH_JSON line) and replaces request(): the
-- lines from BENCH_OFFSET on (0-based) are shared out between the threads (thread t takes
-- offset + t, offset + t + T, …, T = BENCH_THREADS), and done() prints
--
--     BENCH_CONSUMED {"next_offset": …, "exhausted": …}
--
-- so that drive.py starts the next run (warm-up, repeat) after the last line handed out.
-- A thread that runs out of lines stops (and counts how often it had nothing to send):
-- BENCH_ISSUE_DOCUMENTS was too small for the duration. wrk calls request() once more on
-- thread 0 to check the script before the run: that line is handed out but never sent (its
-- document stays approved), so no line is ever sent twice.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "paths.lua")

local lines = {}
local step, position = 1, 1
-- Globals: done() reads them from each thread with thread:get().
last_index, exhausted = -1, 0

local base_setup, base_done = setup, done
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  base_setup(thread)
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_PATHS"), "r"), "cannot open BENCH_PATHS")
  for line in file:lines() do
    if line ~= "" then
      lines[#lines + 1] = line
    end
  end
  file:close()
  step = tonumber(os.getenv("BENCH_THREADS") or "1")
  local offset = tonumber(os.getenv("BENCH_OFFSET") or "0")
  position = offset + (thread_index or 0) -- 0-based index of this thread's next line
end

function request()
  if position >= #lines then
    exhausted = exhausted + 1
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  local line = lines[position + 1]
  last_index = position
  position = position + step
  local method, path, auth, body = line:match("^(%u+)\t([^\t]+)\t([^\t]*)\t(.*)$")
  assert(method, "a request line is METHOD<tab>path<tab>Authorization<tab>body")
  local headers = { ["Content-Type"] = "application/json" }
  if auth ~= "" then
    headers["Authorization"] = auth
  end
  return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
  base_done(summary, latency, requests)
  local highest, empty = tonumber(os.getenv("BENCH_OFFSET") or "0") - 1, 0
  for _, thread in ipairs(threads) do
    highest = math.max(highest, thread:get("last_index") or -1)
    empty = empty + (thread:get("exhausted") or 0)
  end
  io.write(string.format('BENCH_CONSUMED {"next_offset": %d, "exhausted": %d}\n', highest + 1, empty))
end
