-- wrk script shared by every benchmark: each request takes the next path from a list and the
-- next session cookie from another, and the run ends by printing one JSON line of results.
--
-- Environment (read once per thread):
--   BENCH_PATHS    file with one request path per line (required), or whole requests:
--                  METHOD<tab>path<tab>Authorization<tab>body (a JSON body)
--   BENCH_COOKIES  file with one "sessionid=…" per line (optional: anonymous when absent)
--   BENCH_EXPECT   the HTTP status every response must have (default 200)
--   BENCH_RATE     when set, pace the requests to this many per second in total (with
--                  BENCH_THREADS, wrk's -t): each thread sends on a fixed schedule and never
--                  catches up a backlog, so a slow server sees fewer, not burstier, requests
--
-- wrk records each request's latency in microseconds in a histogram with 1 µs buckets, so
-- the percentiles printed here are exact at that resolution, not sampled.

local paths, cookies = {}, {}
local next_path, next_cookie = 1, 1
-- Globals, not locals: done() reads them from each thread with thread:get().
unexpected, counted = 0, 0
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local threads = {}

local function read_lines(name)
  local lines = {}
  if not name or name == "" then
    return lines
  end
  local file = assert(io.open(name, "r"), "cannot open " .. name)
  for line in file:lines() do
    if line ~= "" then
      lines[#lines + 1] = line
    end
  end
  file:close()
  return lines
end

local rate = tonumber(os.getenv("BENCH_RATE") or "0")
if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef([[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock_id, bench_timespec *tp);
  ]])
  local now_buffer = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, now_buffer) -- CLOCK_MONOTONIC
    return tonumber(now_buffer.tv_sec) * 1000 + tonumber(now_buffer.tv_nsec) / 1e6
  end
  local interval = tonumber(os.getenv("BENCH_THREADS") or "1") * 1000 / rate
  local next_at = 0

  -- wrk calls delay() before each request of this thread and waits that many milliseconds.
  function delay()
    local now = now_ms()
    if next_at < now then
      next_at = now
    end
    local wait = next_at - now
    next_at = next_at + interval
    return math.floor(wait)
  end
end

function setup(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  paths = read_lines(os.getenv("BENCH_PATHS"))
  cookies = read_lines(os.getenv("BENCH_COOKIES"))
  assert(#paths > 0, "BENCH_PATHS has no paths")
  -- Threads start at different places in the lists so they do not ask the same thing at once.
  local offset = thread_index or 0
  next_path = (offset * 7919) % #paths + 1
  if #cookies > 0 then
    next_cookie = (offset * 31) % #cookies + 1
  end
end

function request()
  local line = paths[next_path]
  next_path = next_path % #paths + 1
  local headers = {}
  if #cookies > 0 then
    headers["Cookie"] = cookies[next_cookie]
    next_cookie = next_cookie % #cookies + 1
  end
  -- A line with tabs is a whole request: METHOD, path, Authorization header, JSON body.
  local method, path, auth, body = line:match("^(%u+)\t([^\t]+)\t([^\t]*)\t(.*)$")
  if method then
    if auth ~= "" then
      headers["Authorization"] = auth
    end
    headers["Content-Type"] = "application/json"
    return wrk.format(method, path, headers, body)
  end
  return wrk.format("GET", line, headers)
end

function response(status, headers, body)
  counted = counted + 1
  if status ~= expect then
    unexpected = unexpected + 1
    if unexpected <= 3 then
      io.stderr:write("unexpected status " .. status .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local bad, seen = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
    seen = seen + (thread:get("counted") or 0)
  end
  local e = summary.errors
  local function ms(us)
    return us / 1000.0
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"unexpected_status": %d, "checked": %d, '
      .. '"latency_ms": {"min": %.3f, "mean": %.3f, "stdev": %.3f, "max": %.3f, '
      .. '"p50": %.3f, "p90": %.3f, "p95": %.3f, "p99": %.3f, "p99_9": %.3f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    bad, seen,
    ms(latency.min), ms(latency.mean), ms(latency.stdev), ms(latency.max),
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(95)),
    ms(latency:percentile(99)), ms(latency:percentile(99.9))
  ))
end
