-- POST /items with a JSON body the endpoint validates into a Pydantic model.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"widget","price":9.99,"tags":["a","b"]}'
