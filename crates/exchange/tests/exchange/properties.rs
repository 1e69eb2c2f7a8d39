//! Random order flow, prices, books and funding through many accounts on every venue preset,
//! with the invariant checker after every single event and command.

use cascade_exchange::*;
use cascade_types::*;
use proptest::prelude::*;

/// One step of a random run.
#[derive(Clone, Debug)]
pub enum Op {
    Mark {
        i: u32,
        cents: i64,
    },
    Book {
        i: u32,
        bid_cents: i64,
        spread_cents: i64,
        qty_milli: i64,
    },
    Depth {
        i: u32,
        band: i32,
        qty_milli: i64,
        extra_cents: i64,
    },
    Trade {
        i: u32,
        cents: i64,
        qty_milli: i64,
        buy: bool,
    },
    Index {
        i: u32,
        cents: i64,
    },
    Settle {
        i: u32,
        rate_ppm: i64,
    },
    Wait {
        s: i64,
    },
    Place {
        a: u8,
        i: u32,
        buy: bool,
        qty_milli: i64,
        kind: u8,
        cents: i64,
        tif: u8,
        reduce_only: bool,
        post_only: bool,
    },
    Cancel {
        a: u8,
        id: u64,
    },
    Leverage {
        a: u8,
        i: u32,
        lev: u32,
    },
    Mode {
        a: u8,
        i: u32,
        isolated: bool,
    },
    Transfer {
        a: u8,
        to_spot: bool,
        amount: i64,
    },
    Crowd {
        i: u32,
        qty_milli: i64,
        cents: i64,
        lev: u32,
        isolated: bool,
    },
}

const PERPS: u32 = 2;

pub fn op() -> impl Strategy<Value = Op> {
    let inst = 0..PERPS;
    let any_inst = 0..PERPS + 1; // the last one is spot
    let cents = 5_000i64..15_000;
    prop_oneof![
        4 => (inst.clone(), cents.clone()).prop_map(|(i, cents)| Op::Mark { i, cents }),
        3 => (any_inst.clone(), cents.clone(), 1i64..300, 1i64..5_000).prop_map(|(i, bid_cents, spread_cents, qty_milli)| Op::Book { i, bid_cents, spread_cents, qty_milli }),
        1 => (any_inst.clone(), prop_oneof![Just(-500), Just(-100), Just(100), Just(500)], 1i64..20_000, 0i64..2_000).prop_map(|(i, band, qty_milli, extra_cents)| Op::Depth { i, band, qty_milli, extra_cents }),
        3 => (any_inst.clone(), cents.clone(), 1i64..3_000, any::<bool>()).prop_map(|(i, cents, qty_milli, buy)| Op::Trade { i, cents, qty_milli, buy }),
        1 => (inst.clone(), cents.clone()).prop_map(|(i, cents)| Op::Index { i, cents }),
        1 => (inst.clone(), -3_000i64..3_000).prop_map(|(i, rate_ppm)| Op::Settle { i, rate_ppm }),
        1 => (0i64..20_000).prop_map(|s| Op::Wait { s }),
        6 => (0u8..6, any_inst.clone(), any::<bool>(), 1i64..4_000, 0u8..4, cents.clone(), 0u8..3, prop::bool::weighted(0.2), prop::bool::weighted(0.1))
            .prop_map(|(a, i, buy, qty_milli, kind, cents, tif, reduce_only, post_only)| Op::Place { a, i, buy, qty_milli, kind, cents, tif, reduce_only, post_only }),
        1 => (0u8..6, 1u64..40).prop_map(|(a, id)| Op::Cancel { a, id }),
        1 => (0u8..6, any_inst.clone(), 1u32..130).prop_map(|(a, i, lev)| Op::Leverage { a, i, lev }),
        1 => (0u8..6, inst.clone(), any::<bool>()).prop_map(|(a, i, isolated)| Op::Mode { a, i, isolated }),
        1 => (0u8..6, any::<bool>(), 1i64..3_000).prop_map(|(a, to_spot, amount)| Op::Transfer { a, to_spot, amount }),
        2 => (inst, prop_oneof![3 => -5_000i64..5_000, 1 => -30_000_000i64..30_000_000], cents, 1u32..60, any::<bool>())
            .prop_map(|(i, qty_milli, cents, lev, isolated)| Op::Crowd { i, qty_milli, cents, lev, isolated }),
    ]
}

/// An exchange for venue `v` (0 Binance, 1 Bybit, 2 Hyperliquid, 3 BitMEX) with two perps and
/// one spot market, six funded accounts and a small insurance fund.
pub fn venue(v: u8, fund_seed: i64) -> (Exchange, Vec<AccountId>) {
    let date = Ts::parse_utc("2024-08-05").unwrap();
    let (rules, tiers) = match v {
        0 => (
            VenueRules::binance_usdm(date),
            binance_usdm_tiers("BTCUSDT", date).unwrap(),
        ),
        1 => (VenueRules::bybit(), bybit_btcusdt_tiers()),
        2 => (
            VenueRules::hyperliquid_2025(),
            hyperliquid_2025_tiers("SOL").unwrap(),
        ),
        _ => (
            VenueRules::bitmex_2020(),
            bitmex_2020_xbtusd_tiers(Price::from_int(100)),
        ),
    };
    let spec = |sym: &str, kind| InstrumentSpec {
        lot: "0.001".parse().unwrap(),
        tick: "0.01".parse().unwrap(),
        ..InstrumentSpec::new("test", sym, kind, "X", "USD")
    };
    let mut instruments: Vec<InstrumentConfig> = (0..PERPS)
        .map(|k| {
            InstrumentConfig::perp(
                spec(&format!("P{k}"), InstrumentKind::LinearPerp),
                tiers.clone(),
            )
        })
        .collect();
    instruments[1].fund = 1;
    instruments.push(InstrumentConfig::spot(spec("S", InstrumentKind::Spot)));
    let mut ex = Exchange::new(rules, instruments).unwrap();
    ex.seed_insurance_fund(0, Money::from_int(fund_seed));
    ex.seed_insurance_fund(1, Money::from_int(fund_seed / 2));
    let accounts = (0..6)
        .map(|k| {
            let a = ex.open_account(Money::from_int(500 + 1_500 * k));
            ex.deposit(a, Money::from_int(300), true);
            a
        })
        .collect();
    (ex, accounts)
}

fn price(cents: i64) -> Price {
    Price::from_raw(cents * 1_000_000)
}
fn qty(milli: i64) -> Qty {
    Qty::from_raw(milli * 100_000)
}

/// Applies one op; returns the number of outputs.
pub fn apply(
    ex: &mut Exchange,
    accounts: &[AccountId],
    t: &mut Ts,
    op: &Op,
    out: &mut Vec<Output>,
) {
    let ev = |i: u32, body| Event {
        ts: *t,
        instrument: InstrumentId(i),
        body,
    };
    match *op {
        Op::Mark { i, cents } => ex.on_market(&ev(i, EventBody::MarkPrice(price(cents))), out),
        Op::Book {
            i,
            bid_cents,
            spread_cents,
            qty_milli,
        } => {
            let b = BookTop {
                bid_price: price(bid_cents),
                bid_qty: qty(qty_milli),
                ask_price: price(bid_cents + spread_cents),
                ask_qty: qty(qty_milli),
            };
            ex.on_market(&ev(i, EventBody::BookTop(b)), out);
        }
        Op::Depth {
            i,
            band,
            qty_milli,
            extra_cents,
        } => {
            let mv = ex.market(InstrumentId(i));
            let mid = mv
                .mark
                .or(mv.last_trade.map(|t| t.price))
                .unwrap_or(Price::from_int(100));
            let away = if band < 0 {
                mid - price(extra_cents).min_of(mid - price(1))
            } else {
                mid + price(extra_cents)
            };
            let d = DepthBand {
                band_bps: band,
                qty: qty(qty_milli),
                notional: away.notional(qty(qty_milli), Rounding::Down),
            };
            ex.on_market(&ev(i, EventBody::DepthBand(d)), out);
        }
        Op::Trade {
            i,
            cents,
            qty_milli,
            buy,
        } => {
            let tr = Trade {
                price: price(cents),
                qty: qty(qty_milli),
                aggressor: if buy { Side::Buy } else { Side::Sell },
                trade_id: 0,
            };
            ex.on_market(&ev(i, EventBody::Trade(tr)), out);
        }
        Op::Index { i, cents } => ex.on_market(&ev(i, EventBody::IndexPrice(price(cents))), out),
        Op::Settle { i, rate_ppm } => {
            let s = FundingSettlement {
                rate: Rate::from_raw(rate_ppm * 100),
                interval_h: 8,
            };
            ex.on_market(&ev(i, EventBody::FundingSettlement(s)), out);
        }
        Op::Wait { s } => *t = t.plus_secs(s),
        Op::Place {
            a,
            i,
            buy,
            qty_milli,
            kind,
            cents,
            tif,
            reduce_only,
            post_only,
        } => {
            let px = price(cents);
            let kind = match kind {
                0 => OrderKind::Market,
                1 => OrderKind::Limit { price: px },
                2 => OrderKind::StopMarket { trigger: px },
                _ => OrderKind::StopLimit {
                    trigger: px,
                    price: px,
                },
            };
            let tif = [TimeInForce::Gtc, TimeInForce::Ioc, TimeInForce::Fok][tif as usize];
            let req = OrderRequest {
                client_id: 1,
                instrument: InstrumentId(i),
                side: if buy { Side::Buy } else { Side::Sell },
                qty: qty(qty_milli),
                kind,
                tif,
                reduce_only,
                post_only,
            };
            ex.on_command(*t, accounts[a as usize], &Command::Place(req), out);
        }
        Op::Cancel { a, id } => ex.on_command(
            *t,
            accounts[a as usize],
            &Command::Cancel {
                order_id: OrderId(id),
            },
            out,
        ),
        Op::Leverage { a, i, lev } => ex.on_command(
            *t,
            accounts[a as usize],
            &Command::SetLeverage {
                instrument: InstrumentId(i),
                leverage: lev,
            },
            out,
        ),
        Op::Mode { a, i, isolated } => {
            let mode = if isolated {
                MarginMode::Isolated
            } else {
                MarginMode::Cross
            };
            ex.on_command(
                *t,
                accounts[a as usize],
                &Command::SetMarginMode {
                    instrument: InstrumentId(i),
                    mode,
                },
                out,
            );
        }
        Op::Transfer { a, to_spot, amount } => {
            let (from, to) = if to_spot {
                (Wallet::Futures, Wallet::Spot)
            } else {
                (Wallet::Spot, Wallet::Futures)
            };
            ex.on_command(
                *t,
                accounts[a as usize],
                &Command::Transfer {
                    from,
                    to,
                    amount: Money::from_int(amount),
                },
                out,
            );
        }
        Op::Crowd {
            i,
            qty_milli,
            cents,
            lev,
            isolated,
        } => {
            if qty_milli != 0 {
                let q = qty(qty_milli);
                let entry = price(cents);
                let im = entry
                    .notional(q.abs(), Rounding::Up)
                    .div_int(lev as i64, Rounding::Up)
                    .unwrap();
                let c = CrowdPosition {
                    instrument: InstrumentId(i),
                    qty: q,
                    entry,
                    leverage: lev,
                    mode: if isolated {
                        MarginMode::Isolated
                    } else {
                        MarginMode::Cross
                    },
                    deposit: im + Money::from_int(10),
                };
                let _ = ex.open_crowd_position(&c, out);
            }
        }
    }
}

// 256 cases by default; `PROPTEST_CASES=20000` for a long soak.
proptest! {
    #[test]
    fn invariants_hold_after_every_event(v in 0u8..4, fund in 0i64..2_000, ops in prop::collection::vec(op(), 1..150)) {
        let (mut ex, accounts) = venue(v, fund);
        let mut t = Ts::parse_utc("2024-08-05T00:00:00Z").unwrap();
        let mut out = Vec::new();
        for (k, op) in ops.iter().enumerate() {
            apply(&mut ex, &accounts, &mut t, op, &mut out);
            if let Err(e) = check_invariants(&ex) {
                prop_assert!(false, "after op {k} {op:?}: {e}");
            }
        }
    }
}
