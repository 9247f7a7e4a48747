-- wrk script of bench/portal.py: readers of one article, counted exactly.
--
--   wrk -t N -c N -d 120s -s bench/wrk_views.lua http://127.0.0.1:PORT/ -- \
--       MODE PAGE_PATH BEACON_PATH ARTICLE_ID QUOTA UA_PREFIX
--
-- MODE "page":     GET PAGE_PATH as a bot (not counted); a counted request is a page answered 200.
-- MODE "view":     GET PAGE_PATH as a new reader each time: the page counts the view.
-- MODE "hitcount", "hitcount_full": GET PAGE_PATH (a route counted by django-hitcount, whose client
--                  is a bot for our own counter); counted: a page answered 200.
-- (BEACON_PATH is accepted for compatibility; pages restored from the back/forward cache are the
-- only ones that send it, and wrk has no such cache.)
--
-- Exactness: run with one connection per thread (-t N -c N). A connection has one request in
-- flight at a time, so requests and answers alternate strictly and `sent_kind` names the request
-- an answer belongs to. After QUOTA counted answers the thread stops from response(), before it
-- sends anything else: when every thread has stopped, nothing is in flight and the server has
-- recorded exactly what was answered. Each thread then prints "BENCH-THREAD-DONE <id>" (the runner
-- interrupts wrk when all have, since wrk itself would sleep out its -d), and done() prints one
-- "BENCH-RESULT {json}" line with the totals of all threads.
--
-- Every reader carries its own User-Agent, UA_PREFIX-<thread>-<n>, so every page is a new visitor
-- that the portal must count (the 30-minute deduplication keys on address + user agent).

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec_t;
int clock_gettime(int clk_id, bench_timespec_t *tp);
]])

local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_timespec_t")

local function now()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
   return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

-- Main state: one handle per thread, for done().
local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_id", #threads)
end

-- Thread state.
function init(args)
   mode, page_path, beacon_path, article_id = args[1], args[2], args[3], args[4]
   quota, ua_prefix = tonumber(args[5]), args[6]
   counted = 0          -- answered counted requests (the quota)
   pages, beacons = 0, 0 -- answered with 200
   beacons_new = 0      -- beacons whose answer said "counted": true
   failed = 0           -- answers other than 200
   late = 0             -- requests built after the thread stopped (must stay 0)
   reader = 0
   next_kind, sent_kind = "page", nil
   started, finished, last_answer = 0, 0, 0
   -- wrk builds one request on the first thread's state before any thread runs, to check it.
   verifying = thread_id == 1
end

local function user_agent()
   return ua_prefix .. "-" .. thread_id .. "-" .. reader
end

function request()
   if verifying then
      verifying = false
      return wrk.format("GET", page_path)
   end
   if started == 0 then
      started = now()
   end
   if finished ~= 0 then
      late = late + 1
   end
   sent_kind = "page"
   reader = reader + 1
   local ua = user_agent()
   if mode ~= "view" then
      ua = "Mozilla/5.0 (compatible; bench-probe-bot/1.0)"  -- a bot: served, never counted
   end
   return wrk.format("GET", page_path, {
      ["User-Agent"] = ua,
      ["Accept"] = "text/html",
   })
end

function response(status, headers, body)
   last_answer = now()
   if status ~= 200 then
      failed = failed + 1
   else
      pages = pages + 1
      counted = counted + 1
   end
   if counted >= quota and finished == 0 then
      finished = last_answer
      wrk.thread:stop()
      io.write("BENCH-THREAD-DONE " .. thread_id .. "\n")
      io.stdout:flush()
   end
end

function done(summary, latency, requests)
   local keys = { "counted", "pages", "beacons", "beacons_new", "failed", "late" }
   local totals = {}
   for _, key in ipairs(keys) do
      totals[key] = 0
   end
   local first, last, stopped = math.huge, 0, 0
   for _, thread in ipairs(threads) do
      for _, key in ipairs(keys) do
         totals[key] = totals[key] + thread:get(key)
      end
      local started_at, finished_at = thread:get("started"), thread:get("finished")
      if started_at > 0 then
         first = math.min(first, started_at)
      end
      if finished_at > 0 then
         stopped = stopped + 1
      else
         finished_at = thread:get("last_answer")
      end
      last = math.max(last, finished_at)
   end
   local parts = {
      string.format('"mode": "%s"', threads[1]:get("mode")),
      string.format('"threads": %d', #threads),
      string.format('"stopped": %d', stopped),
      string.format('"seconds": %.6f', first < last and last - first or 0),
   }
   for _, key in ipairs(keys) do
      table.insert(parts, string.format('"%s": %d', key, totals[key]))
   end
   local errors = summary.errors
   for _, key in ipairs({ "connect", "read", "write", "timeout" }) do
      table.insert(parts, string.format('"%s_errors": %d', key, errors[key]))
   end
   io.write("BENCH-RESULT {" .. table.concat(parts, ", ") .. "}\n")
end
