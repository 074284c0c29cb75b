-- Pipelining: each connection writes DEPTH requests back to back, then reads the
-- DEPTH responses (TechEmpower's plaintext test uses a depth of 16).
local depth = tonumber(os.getenv("WRK_PIPELINE_DEPTH") or "16")

init = function(args)
  local batch = {}
  for i = 1, depth do
    batch[i] = wrk.format()
  end
  payload = table.concat(batch)
end

request = function()
  return payload
end
