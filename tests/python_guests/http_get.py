"""http.client and urllib.request, unchanged: GET from a server, then
a GET the policy denies.

Usage: http_get.py PORT DENIED_PORT"""
import errno
import http.client
import sys
import urllib.request

port, denied = int(sys.argv[1]), int(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
conn.request("GET", "/hello.txt")
r = conn.getresponse()
print("http.client:", r.status, r.read())
conn.close()
with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello.txt", timeout=10) as f:
    print("urllib:", f.status, f.read())
try:
    urllib.request.urlopen(f"http://127.0.0.1:{denied}/", timeout=10)
    print("denied: fetched")
except urllib.error.URLError as e:
    print("denied:", type(e.reason).__name__, errno.errorcode.get(e.reason.errno))
