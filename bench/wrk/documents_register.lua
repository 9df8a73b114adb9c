-- Registration of incoming documents (POST /api/v1/documents/incoming/): every request
-- registers a new document, so the number in its body is new each time.
--
-- Reuses paths.lua (status check, pacing, the BENCH_JSON line) and replaces its request():
-- each line of BENCH_PATHS is a whole request, METHOD<tab>path<tab>Authorization<tab>body,
-- whose body holds the placeholder __NUMBER__. It becomes
--
--     BENCH_INVOCATION × 10^7 + thread × 10^6 + the thread's count of requests
--
-- (nine digits at most, as a document number may have): drive.py numbers its wrk runs, so
-- no two requests of a benchmark run carry the same number, warm-up and repeats included,
-- and none collides with the duplicate check of the registration.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "paths.lua")

local lines = {}
local next_line = 1
local sent = 0
local base = 0

function init(args)
  local file = assert(io.open(os.getenv("BENCH_PATHS"), "r"), "cannot open BENCH_PATHS")
  for line in file:lines() do
    if line ~= "" then
      lines[#lines + 1] = line
    end
  end
  file:close()
  assert(#lines > 0, "BENCH_PATHS has no requests")
  local index = thread_index or 0
  assert(index < 10, "at most 10 wrk threads")
  local invocation = tonumber(os.getenv("BENCH_INVOCATION") or "1") % 100
  base = invocation * 10000000 + index * 1000000
  next_line = (index * 7919) % #lines + 1
end

function request()
  local line = lines[next_line]
  next_line = next_line % #lines + 1
  sent = sent + 1
  local method, path, auth, body = line:match("^(%u+)\t([^\t]+)\t([^\t]*)\t(.*)$")
  assert(method, "a request line is METHOD<tab>path<tab>Authorization<tab>body")
  body = body:gsub("__NUMBER__", tostring(base + sent % 1000000))
  local headers = { ["Content-Type"] = "application/json" }
  if auth ~= "" then
    headers["Authorization"] = auth
  end
  return wrk.format(method, path, headers, body)
end
