-- wrk script: sends 16 pipelined GET / requests per write (pipelining depth 16).
init = function(args)
  local requests = {}
  for i = 1, 16 do
    requests[i] = wrk.format(nil, "/")
  end
  pipelined = table.concat(requests)
end

request = function()
  return pipelined
end
