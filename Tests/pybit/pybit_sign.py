"""Prints pybit's own HMAC signature for each JSON case on stdin: [{"ts","key","secret","recv","payload"}].

Used by MMBotCLITests/Bybit/BybitPybitTests.swift to hold mmbot's signer equal to the official SDK's.
"""
import json
import sys

from pybit._http_manager import _V5HTTPManager  # fails loudly when pybit is missing

cases = json.load(sys.stdin)
out = []
for case in cases:
    manager = _V5HTTPManager(api_key=case["key"], api_secret=case["secret"])
    out.append(manager._auth(payload=case["payload"], recv_window=case["recv"], timestamp=case["ts"]))
print(json.dumps(out))
