"""Rust strategies re-written in Python, for the parity tests and the overhead benchmark."""

from decimal import Decimal

import cascade


class PyNoise(cascade.Strategy, name="py-noise", description="the built-in `noise`, in Python"):
    """Every `every` market events, alternately buys and sells `qty` at market (buy first)."""

    params = {"every": 100, "qty": "0.001", "instrument": 0}

    def __init__(self, params):
        super().__init__(params)
        if self.params["every"] < 1 or Decimal(self.params["qty"]) <= 0:
            raise ValueError("noise needs every >= 1 and qty > 0")
        self.countdown = self.params["every"]
        self.side = "buy"

    def on_start(self, ctx):
        if self.params["instrument"] >= ctx.instrument_count():
            raise ValueError(f"the run has no instrument {self.params['instrument']}")

    def on_event(self, event, ctx):
        self.countdown -= 1
        if self.countdown == 0:
            self.countdown = self.params["every"]
            ctx.place(self.params["instrument"], self.side, self.params["qty"])
            self.side = "sell" if self.side == "buy" else "buy"


class PyNoop(cascade.Strategy, name="py-noop", description="the built-in `noop`, in Python"):
    """Sees every event and does nothing: the cost of a Python callback."""

    def on_event(self, event, ctx):
        pass
