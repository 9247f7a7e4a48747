-- wrk script of bench/soak.py: one kind of user, cycling through a list of requests until a deadline.
--
--   wrk -t N -c N -d <seconds + margin> -s bench/wrk_soak.lua http://127.0.0.1:PORT/ -- \
--       PLAN_FILE SECONDS COOKIE CSRF UA_PREFIX
--
-- PLAN_FILE holds one request a line: "LABEL METHOD PATH [BODY]" (BODY form-encoded, for POST).
-- Every thread starts at its own line and goes round. One connection per thread (-t N -c N): a
-- connection has one request in flight, so an answer belongs to the last request sent, and its
-- latency is measured here, per label. After SECONDS a thread stops itself from response(), so
-- nothing is in flight when all have stopped; it prints "SOAK-THREAD {json}" (per label the
-- requests, the answers by status class and every latency in ms; "counted": answers 200 to label
-- "article") and "SOAK-THREAD-DONE <id>" (the runner then interrupts wrk), and done() prints
-- "SOAK-RESULT {json}" with the socket errors.
--
-- Article readers carry their own User-Agent, UA_PREFIX-<thread>-<n>: each page is a new visitor,
-- so the portal counts every one (its 30-minute deduplication keys on address + user agent).

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } soak_timespec_t;
int clock_gettime(int clk_id, soak_timespec_t *tp);
]])
local timespec = ffi.new("soak_timespec_t")
local function now()
   ffi.C.clock_gettime(1, timespec)
   return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_id", #threads)
end

function init(args)
   plan = {}
   for line in io.lines(args[1]) do
      local label, method, path, body = line:match("^(%S+) (%S+) (%S+) ?(.*)$")
      if label then
         table.insert(plan, { label = label, method = method, path = path, body = body })
      end
   end
   seconds, cookie, csrf, ua_prefix = tonumber(args[2]), args[3], args[4], args[5]
   position = (thread_id - 1) % #plan
   reader = 0
   started, stopped = 0, 0
   sent, sent_at = nil, 0
   stats = {}   -- label -> { n = , ok = , redirect = , client = , server = , ms = {...} }
   counted = 0
   verifying = thread_id == 1
end

local function headers_for(item)
   local headers = { ["Accept"] = "text/html", ["Cookie"] = cookie }
   if item.label == "article" then
      reader = reader + 1
      headers["User-Agent"] = ua_prefix .. "-" .. thread_id .. "-" .. reader
   else
      headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) soak/1.0"
   end
   if item.method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      headers["X-CSRFToken"] = csrf
   end
   return headers
end

function request()
   local item = plan[position + 1]
   if verifying then  -- wrk builds one request to check the script before the threads run
      verifying = false
      return wrk.format("GET", "/healthz")
   end
   if started == 0 then
      started = now()
   end
   position = (position + 1) % #plan
   sent, sent_at = item, now()
   local body = nil
   if item.method == "POST" and item.body ~= "" then
      body = item.body
   end
   return wrk.format(item.method, item.path, headers_for(item), body)
end

function response(status, headers, body)
   if sent == nil then
      return
   end
   local finished = now()
   local s = stats[sent.label]
   if s == nil then
      s = { n = 0, ok = 0, redirect = 0, client = 0, server = 0, ms = {} }
      stats[sent.label] = s
   end
   s.n = s.n + 1
   if status >= 500 then
      s.server = s.server + 1
   elseif status >= 400 then
      s.client = s.client + 1
   elseif status >= 300 then
      s.redirect = s.redirect + 1
   else
      s.ok = s.ok + 1
      if sent.label == "article" and status == 200 then
         counted = counted + 1
      end
   end
   table.insert(s.ms, (finished - sent_at) * 1000)
   sent = nil
   if finished - started >= seconds and stopped == 0 then
      stopped = finished
      wrk.thread:stop()
      io.write("SOAK-THREAD " .. thread_json() .. "\n")
      io.write("SOAK-THREAD-DONE " .. thread_id .. "\n")
      io.stdout:flush()
   end
end

-- A thread's own figures, raw latencies included (wrk copies no tables between threads).
function thread_json()
   local parts = {}
   for label, s in pairs(stats) do
      local ms = {}
      for i, value in ipairs(s.ms) do
         ms[i] = string.format("%.2f", value)
      end
      table.insert(parts, string.format(
         '"%s": {"n": %d, "ok": %d, "redirect": %d, "client": %d, "server": %d, "ms": [%s]}',
         label, s.n, s.ok, s.redirect, s.client, s.server, table.concat(ms, ",")))
   end
   return string.format('{"thread": %d, "counted": %d, "labels": {%s}}', thread_id, counted, table.concat(parts, ", "))
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format('SOAK-RESULT {"socket_errors": %d}\n',
      errors.connect + errors.read + errors.write + errors.timeout))
end
