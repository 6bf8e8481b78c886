"""Bybit's official Python SDK (pybit) against `mmbot exchange-sim`.

usage: python3 pybit_conformance.py http://127.0.0.1:PORT
Reads BYBIT_API_KEY / BYBIT_API_SECRET. Places, queries, cancels and lists executions and
positions through pybit's HTTP session exactly as a pybit user would, with the endpoint pointed
at the simulator. Exits non-zero (with the failing check) on any mismatch; prints "ok" last.
"""
import os
import sys
import time
from decimal import Decimal

from pybit.unified_trading import HTTP  # fails loudly when pybit is missing
from pybit.exceptions import InvalidRequestError


def check(condition, what):
    if not condition:
        print("FAILED: " + what, file=sys.stderr)
        sys.exit(1)


endpoint = sys.argv[1]
key, secret = os.environ["BYBIT_API_KEY"], os.environ["BYBIT_API_SECRET"]
session = HTTP(testnet=True, api_key=key, api_secret=secret, max_retries=1)
session.endpoint = endpoint

server = session.get_server_time()
check(server["retCode"] == 0 and int(server["result"]["timeSecond"]) > 0, "get_server_time")

info = session.get_instruments_info(category="linear", symbol="BTCUSDT")
item = info["result"]["list"][0]
check(item["priceFilter"]["tickSize"] == "0.1" and item["lotSizeFilter"]["qtyStep"] == "0.001", "instruments-info filters")
tick = Decimal(item["priceFilter"]["tickSize"])

ticker = session.get_tickers(category="linear", symbol="BTCUSDT")["result"]["list"][0]
bid, ask = Decimal(ticker["bid1Price"]), Decimal(ticker["ask1Price"])
check(bid < ask, "tickers bid < ask")
book = session.get_orderbook(category="linear", symbol="BTCUSDT", limit=5)["result"]
check(book["s"] == "BTCUSDT" and Decimal(book["b"][0][0]) == bid and Decimal(book["a"][0][0]) == ask, "orderbook top equals tickers")

run = str(int(time.time() * 1000))
# A post-only bid well below the touch rests.
resting_id = "pybit-rest-" + run
placed = session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.001",
                             price=str(bid - 100 * tick), timeInForce="PostOnly", orderLinkId=resting_id)
check(placed["retCode"] == 0 and placed["result"]["orderLinkId"] == resting_id and placed["result"]["orderId"], "place_order")
opened = session.get_open_orders(category="linear", symbol="BTCUSDT", orderLinkId=resting_id)["result"]["list"]
check(len(opened) == 1 and opened[0]["orderStatus"] == "New" and opened[0]["qty"] == "0.001", "get_open_orders finds the order")

# The same orderLinkId again is refused as a duplicate (110072).
try:
    session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.001",
                        price=str(bid - 100 * tick), timeInForce="PostOnly", orderLinkId=resting_id)
    check(False, "duplicate orderLinkId accepted")
except InvalidRequestError as e:
    check(e.status_code == 110072, "duplicate orderLinkId gives 110072, got %s" % e.status_code)

canceled = session.cancel_order(category="linear", symbol="BTCUSDT", orderLinkId=resting_id)
check(canceled["retCode"] == 0 and canceled["result"]["orderLinkId"] == resting_id, "cancel_order")
closed = session.get_open_orders(category="linear", symbol="BTCUSDT", orderLinkId=resting_id, openOnly=1)["result"]["list"]
check(len(closed) == 1 and closed[0]["orderStatus"] == "Cancelled", "the canceled order is listed with openOnly=1")
try:
    session.cancel_order(category="linear", symbol="BTCUSDT", orderLinkId=resting_id)
    check(False, "second cancel accepted")
except InvalidRequestError as e:
    check(e.status_code == 110001, "second cancel gives 110001, got %s" % e.status_code)

# A post-only order through the touch is accepted, then canceled on arrival (Bybit's behaviour).
cross_id = "pybit-cross-" + run
crossed = session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.001",
                              price=str(ask + 10 * tick), timeInForce="PostOnly", orderLinkId=cross_id)
check(crossed["retCode"] == 0, "crossing post-only create answers retCode 0")
gone = session.get_open_orders(category="linear", symbol="BTCUSDT", orderLinkId=cross_id, openOnly=1)["result"]["list"]
check(len(gone) == 1 and gone[0]["rejectReason"] == "EC_PostOnlyWillTakeLiquidity", "crossing post-only is canceled with EC_PostOnlyWillTakeLiquidity")

# A plain limit through the touch takes liquidity and fills as taker after the venue latency.
take_id = "pybit-take-" + run
session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.002",
                    price=str(ask + 10 * tick), timeInForce="GTC", orderLinkId=take_id)
executions = []
for _ in range(100):
    executions = session.get_executions(category="linear", symbol="BTCUSDT", orderLinkId=take_id)["result"]["list"]
    if executions:
        break
    time.sleep(0.05)
check(len(executions) == 1, "get_executions lists the fill")
e = executions[0]
check(e["orderLinkId"] == take_id and e["execQty"] == "0.002" and e["isMaker"] is False and Decimal(e["execFee"]) > 0, "execution fields")
positions = session.get_positions(category="linear", symbol="BTCUSDT")["result"]["list"]
check(len(positions) == 1 and Decimal(positions[0]["size"]) >= Decimal("0.002") and positions[0]["side"] == "Buy", "get_positions")

# Pagination: several resting orders, fetched two per page with the cursor sent back unchanged.
ids = []
for n in range(5):
    oid = "pybit-page-%d-%s" % (n, run)
    session.place_order(category="linear", symbol="BTCUSDT", side="Sell", orderType="Limit", qty="0.001",
                        price=str(ask + (200 + n) * tick), timeInForce="PostOnly", orderLinkId=oid)
    ids.append(oid)
seen, cursor = [], None
for _ in range(10):
    page = session.get_open_orders(category="linear", symbol="BTCUSDT", limit=2, cursor=cursor)["result"]
    seen += [o["orderLinkId"] for o in page["list"]]
    cursor = page["nextPageCursor"]
    if not cursor:
        break
check(set(ids) <= set(seen) and len(seen) == len(set(seen)), "cursor pagination lists every open order once")
all_canceled = session.cancel_all_orders(category="linear", symbol="BTCUSDT")
check(set(ids) <= {o["orderLinkId"] for o in all_canceled["result"]["list"]}, "cancel_all_orders")

# A wrong secret is refused with 10004, an unknown key with 10003.
bad = HTTP(testnet=True, api_key=key, api_secret="not-the-secret", max_retries=1)
bad.endpoint = endpoint
try:
    bad.get_open_orders(category="linear", symbol="BTCUSDT")
    check(False, "wrong secret accepted")
except InvalidRequestError as e:
    check(e.status_code == 10004, "wrong secret gives 10004, got %s" % e.status_code)
stranger = HTTP(testnet=True, api_key="unknown-key", api_secret=secret, max_retries=1)
stranger.endpoint = endpoint
try:
    stranger.get_open_orders(category="linear", symbol="BTCUSDT")
    check(False, "unknown key accepted")
except InvalidRequestError as e:
    check(e.status_code == 10003, "unknown key gives 10003, got %s" % e.status_code)
print("ok")
