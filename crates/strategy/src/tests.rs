//! Unit tests of the market view's bookkeeping, the context's command buffer, output
//! dispatch and the built-in strategies.

use crate::prelude::*;
use crate::testing::Harness;
use crate::*;
use cascade_types::*;

fn specs() -> Vec<InstrumentSpec> {
    vec![
        InstrumentSpec::new(
            "binance-um",
            "BTCUSDT",
            InstrumentKind::LinearPerp,
            "BTC",
            "USDT",
        ),
        InstrumentSpec::new(
            "binance-spot",
            "BTCUSDT",
            InstrumentKind::Spot,
            "BTC",
            "USDT",
        ),
    ]
}

const PERP: InstrumentId = InstrumentId(0);
const SPOT: InstrumentId = InstrumentId(1);

fn t(secs: i64) -> Ts {
    Ts::parse_utc("2025-10-10T21:00:00Z")
        .unwrap()
        .plus_secs(secs)
}

fn p(s: &str) -> Price {
    s.parse().unwrap()
}

fn q(s: &str) -> Qty {
    s.parse().unwrap()
}

fn ev(secs: i64, instrument: InstrumentId, body: EventBody) -> Event {
    Event {
        ts: t(secs),
        instrument,
        body,
    }
}

fn trade(secs: i64, i: InstrumentId, side: Side, qty: &str, price: &str) -> Event {
    ev(
        secs,
        i,
        EventBody::Trade(Trade {
            price: p(price),
            qty: q(qty),
            aggressor: side,
            trade_id: 0,
        }),
    )
}

fn liq(secs: i64, side: Side, qty: &str, price: &str) -> Event {
    ev(
        secs,
        PERP,
        EventBody::Liquidation(Liquidation {
            side,
            price: p(price),
            qty: q(qty),
        }),
    )
}

/// Renders what a strategy would see of one instrument, for a compact assertion.
fn show(m: &MarketView, i: InstrumentId, now: Ts) -> String {
    let s = &m[i];
    let l = s.liquidations(now);
    let ls = s.liquidations_slow(now);
    let f = s.flow(now);
    format!(
        "last {:?} mark {:?} quote {:?}\nliq5m long {} ({}, n={}) short {} ({}, n={}) | liq1h long {} short {}\nflow5m buy {} sell {} delta {} notional delta {}",
        s.last_price(),
        s.mark_or_last(),
        s.quote().map(|q| (q.bid, q.ask, q.mid(), q.spread())),
        l.long_qty,
        l.long_notional,
        l.long_count,
        l.short_qty,
        l.short_notional,
        l.short_count,
        ls.long_notional,
        ls.short_notional,
        f.buy_qty,
        f.sell_qty,
        f.delta_qty(),
        f.delta_notional(),
    )
}

#[test]
fn market_view_tracks_prices_books_and_funding() {
    let mut m = MarketView::new(&specs());
    assert_eq!(m.find("BTCUSDT"), Some(PERP));
    assert_eq!(m.find_kind("BTC", InstrumentKind::Spot), Some(SPOT));
    assert_eq!(m.find_kind("ETH", InstrumentKind::Spot), None);
    assert_eq!(m[PERP].last_price(), None);
    assert_eq!(m[PERP].quote(), None);

    m.apply(&trade(0, PERP, Side::Buy, "1", "100000"));
    m.apply(&ev(
        1,
        PERP,
        EventBody::BookTop(BookTop {
            bid_price: p("99999.9"),
            bid_qty: q("3"),
            ask_price: p("100000.1"),
            ask_qty: q("2"),
        }),
    ));
    m.apply(&ev(2, PERP, EventBody::MarkPrice(p("99998"))));
    m.apply(&ev(2, PERP, EventBody::IndexPrice(p("99990"))));
    let next = t(3600);
    m.apply(&ev(
        3,
        PERP,
        EventBody::Funding(Funding {
            rate: "0.0001".parse().unwrap(),
            next_funding: next,
        }),
    ));
    m.apply(&ev(
        4,
        PERP,
        EventBody::OpenInterest(OpenInterest {
            qty: q("90000"),
            value: Money::from_int(9_000_000_000),
        }),
    ));
    m.apply(&ev(
        5,
        PERP,
        EventBody::LongShortRatio(LongShortRatio {
            source: RatioSource::Global,
            ratio: "2.5".parse().unwrap(),
        }),
    ));
    m.apply(&ev(
        5,
        PERP,
        EventBody::TakerVolume(TakerVolume {
            buy: q("10"),
            sell: q("12"),
        }),
    ));

    let s = &m[PERP];
    assert_eq!(s.events, 8);
    assert_eq!(m.events(), 8);
    assert_eq!(m.now(), t(5));
    assert_eq!(s.last_price(), Some(p("100000")));
    assert_eq!(s.mark.unwrap().value, p("99998"));
    assert_eq!(s.index.unwrap().value, p("99990"));
    let quote = s.quote().unwrap();
    assert_eq!((quote.mid(), quote.spread()), (p("100000"), p("0.2")));
    assert_eq!(s.funding.unwrap().value.next_funding, next);
    assert_eq!(s.open_interest.unwrap().value.qty, q("90000"));
    assert_eq!(
        s.long_short(RatioSource::Global).unwrap().value,
        "2.5".parse().unwrap()
    );
    assert_eq!(s.long_short(RatioSource::TopAccounts), None);
    assert_eq!(s.taker_volume.unwrap().value.sell, q("12"));
    assert!(!s.is_spot() && m[SPOT].is_spot());
    // The spot instrument saw nothing.
    assert_eq!(m[SPOT].events, 0);
    assert_eq!(m[SPOT].last_event, None);
}

#[test]
fn rolling_liquidations_and_flow() {
    let mut m = MarketView::new(&specs());
    m.apply(&liq(0, Side::Sell, "2", "100000")); // long liquidated: $200k
    m.apply(&liq(10, Side::Sell, "1", "99000")); // $99k
    m.apply(&liq(20, Side::Buy, "0.5", "101000")); // short liquidated: $50.5k
    m.apply(&trade(20, SPOT, Side::Buy, "3", "100000"));
    m.apply(&trade(21, SPOT, Side::Sell, "1", "100000"));
    m.apply(&trade(22, PERP, Side::Sell, "4", "99000"));
    insta::assert_snapshot!(format!(
        "t+30s\n{}\nspot flow: {:?}\nt+305s\n{}\nt+2h\n{}",
        show(&m, PERP, t(30)),
        m[SPOT].flow(t(30)),
        show(&m, PERP, t(305)),
        show(&m, PERP, t(7200)),
    ));
}

#[test]
fn history_answers_changes_over_minutes() {
    let mut m = MarketView::new(&specs());
    for minute in 0..=30i64 {
        let px = (100_000 - minute * 100).to_string();
        m.apply(&trade(minute * 60, PERP, Side::Sell, "1", &px));
        let oi = (90_000 + minute * 100).to_string();
        m.apply(&ev(
            minute * 60 + 1,
            PERP,
            EventBody::OpenInterest(OpenInterest {
                qty: q(&oi),
                value: Money::ZERO,
            }),
        ));
    }
    let now = t(30 * 60 + 5);
    let s = &m[PERP];
    assert_eq!(s.price_at(t(10 * 60)), Some(p("99000")));
    assert_eq!(s.open_interest_at(t(10 * 60)), Some(q("91000")));
    // 30 minutes: 100000 -> 97000 is -3 %, OI 90000 -> 93000 is +3.333...%.
    assert_eq!(s.price_change(now, 30), Some("-0.03".parse().unwrap()));
    assert_eq!(
        s.open_interest_change(now, 30),
        Some("0.03333333".parse().unwrap())
    );
    assert_eq!(
        s.price_change(now, 10),
        Some(Rate::ratio(-1000, 98000, Rounding::HalfEven).unwrap())
    );
    assert_eq!(s.price_change(now, 31), None); // before the first record
}

#[test]
fn bars_fill_in_when_there_are_no_ticks() {
    let mut m = MarketView::new(&specs());
    let bar = |source, close: &str| Bar {
        source,
        open_time: t(0),
        interval_s: 60,
        open: p("100"),
        high: p("110"),
        low: p("90"),
        close: p(close),
        volume: q("10"),
        quote_volume: Money::from_int(1000),
        trades: 5,
        taker_buy_volume: q("7"),
        taker_buy_quote_volume: Money::from_int(700),
    };
    m.apply(&ev(60, PERP, EventBody::Bar(bar(BarSource::Last, "105"))));
    m.apply(&ev(60, PERP, EventBody::Bar(bar(BarSource::Mark, "104"))));
    m.apply(&ev(60, PERP, EventBody::Bar(bar(BarSource::Index, "103"))));
    m.apply(&ev(
        60,
        PERP,
        EventBody::Bar(bar(BarSource::Premium, "-0.0005")),
    ));
    let s = &m[PERP];
    assert_eq!(s.last_price(), Some(p("105")));
    assert_eq!(s.mark.unwrap().value, p("104"));
    assert_eq!(s.index.unwrap().value, p("103"));
    assert_eq!(s.premium.unwrap().value, "-0.0005".parse().unwrap());
    assert_eq!(s.bar(BarSource::Last).unwrap().close, p("105"));
    let f = s.flow(t(60));
    assert_eq!((f.buy_qty, f.sell_qty), (q("7"), q("3")));
    assert_eq!(
        (f.buy_notional, f.sell_notional),
        (Money::from_int(700), Money::from_int(300))
    );
    // A trade newer than the bar wins; afterwards bars no longer add flow (trades are finer).
    m.apply(&trade(61, PERP, Side::Buy, "1", "106"));
    m.apply(&ev(120, PERP, EventBody::Bar(bar(BarSource::Last, "107"))));
    let s = &m[PERP];
    assert_eq!(s.last_price(), Some(p("107")));
    assert_eq!(s.flow(t(120)).buy_qty, q("8"));
}

#[test]
fn depth_bands_form_snapshots() {
    let mut m = MarketView::new(&specs());
    let band = |secs, bps, notional: i64| {
        ev(
            secs,
            PERP,
            EventBody::DepthBand(DepthBand {
                band_bps: bps,
                qty: q("1"),
                notional: Money::from_int(notional),
            }),
        )
    };
    for (bps, n) in [(100, 10), (-100, 20), (500, 50), (-500, 60)] {
        m.apply(&band(0, bps, n));
    }
    let d = &m[PERP].depth;
    assert_eq!(
        d.bands().iter().map(|b| b.band_bps).collect::<Vec<_>>(),
        [-500, -100, 100, 500]
    );
    assert_eq!(d.bid_notional_within(500), Some(Money::from_int(60)));
    assert_eq!(d.ask_notional_within(100), Some(Money::from_int(10)));
    assert_eq!(d.ts(), Some(t(0)));
    // A new timestamp starts a new snapshot.
    m.apply(&band(30, -500, 2));
    let d = &m[PERP].depth;
    assert_eq!(d.bands().len(), 1);
    assert_eq!(d.bid_notional_within(500), Some(Money::from_int(2)));
    assert_eq!(d.ask_notional_within(100), None);
    // More distinct bands than slots: the extras are counted, not stored.
    for bps in 0..20 {
        m.apply(&band(60, bps * 10, 1));
    }
    assert_eq!(m[PERP].depth.bands().len(), DEPTH_BANDS_MAX);
    assert_eq!(m[PERP].depth.dropped(), 4);
}

#[test]
fn l2_book_keeps_sorted_bounded_levels() {
    let cfg = MarketViewConfig {
        l2_levels_max: 3,
        ..MarketViewConfig::default()
    };
    let mut m = MarketView::with_config(&specs(), cfg);
    let lvl = |secs, side, px: &str, qty: &str| {
        ev(
            secs,
            PERP,
            EventBody::DepthLevel(DepthLevel {
                side,
                price: p(px),
                qty: q(qty),
            }),
        )
    };
    for (px, qty) in [("99", "1"), ("101", "2"), ("100", "3"), ("98", "4")] {
        m.apply(&lvl(0, Side::Buy, px, qty));
    }
    m.apply(&lvl(0, Side::Sell, "102", "1"));
    m.apply(&lvl(0, Side::Sell, "103", "1"));
    let b = &m[PERP].l2;
    let px = |ls: &[Level]| {
        ls.iter()
            .map(|l| l.price.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(px(b.bids()), "101 100 99"); // 98 beyond the kept depth
    assert_eq!(px(b.asks()), "102 103");
    m.apply(&lvl(1, Side::Buy, "101", "0")); // delete the best bid
    m.apply(&lvl(1, Side::Buy, "100.5", "5")); // insert in the middle
    m.apply(&lvl(1, Side::Sell, "102", "7")); // update
    m.apply(&lvl(1, Side::Sell, "104", "0")); // delete an absent level: nothing
    let b = &m[PERP].l2;
    assert_eq!(px(b.bids()), "100.5 100 99");
    assert_eq!(
        b.best_ask(),
        Some(Level {
            price: p("102"),
            qty: q("7")
        })
    );
    let quote = m[PERP].quote().unwrap();
    assert_eq!((quote.bid, quote.ask), (p("100.5"), p("102")));
    // A newer book-top feed wins over the L2 top.
    m.apply(&ev(
        2,
        PERP,
        EventBody::BookTop(BookTop {
            bid_price: p("1"),
            bid_qty: q("1"),
            ask_price: p("2"),
            ask_qty: q("1"),
        }),
    ));
    assert_eq!(m[PERP].quote().unwrap().bid, p("1"));
}

#[test]
fn heatmap_slot_is_set_by_the_engine() {
    let mut m = MarketView::new(&specs());
    assert!(m[PERP].heatmap.is_none());
    let bands = [
        HeatBand {
            within_bps: 100,
            longs_below: Money::from_int(5),
            shorts_above: Money::from_int(1),
        },
        HeatBand {
            within_bps: 500,
            longs_below: Money::from_int(50),
            shorts_above: Money::from_int(2),
        },
    ];
    m.set_heatmap(PERP, HeatmapSummary::new(t(0), p("100000"), &bands));
    let h = m[PERP].heatmap.unwrap();
    assert_eq!(h.bands().len(), 2);
    assert_eq!(h.within(500).unwrap().longs_below, Money::from_int(50));
    assert_eq!(h.within(200), None);
}

#[test]
#[should_panic(expected = "market view has 2 instruments")]
fn events_for_unknown_instruments_are_a_bug() {
    let mut m = MarketView::new(&specs());
    m.apply(&trade(0, InstrumentId(7), Side::Buy, "1", "1"));
}

#[test]
fn ctx_collects_commands_without_reallocating() {
    let market = MarketView::new(&specs());
    let mut accounts = vec![
        AccountView::new(AccountId(4), 2),
        AccountView::new(AccountId(9), 2),
    ];
    accounts[0].positions[0].qty = q("-1.5");
    let mut buf = CommandBuffer::with_capacity(8);
    let cap = buf.commands().as_ptr();
    for round in 0..3 {
        let mut ctx = Ctx::new(t(round), &market, &accounts, &mut buf);
        assert_eq!(ctx.account().id, AccountId(4));
        assert_eq!(ctx.position(PERP).side(), Some(Side::Sell));
        let a = ctx.place(OrderRequest::market(PERP, Side::Buy, q("1")));
        let b = ctx.place(OrderRequest::market(PERP, Side::Buy, q("1")).with_client_id(7));
        let c = ctx.place_for(AccountId(9), OrderRequest::market(SPOT, Side::Sell, q("1")));
        assert_eq!((b, c), (7, a + 1));
        assert!(a >= AUTO_CLIENT_ID_BASE);
        ctx.cancel(OrderId(3));
        ctx.cancel_all(PERP);
        ctx.set_leverage(PERP, 5);
        ctx.set_margin_mode(PERP, MarginMode::Isolated);
        ctx.transfer(Wallet::Spot, Wallet::Futures, Money::from_int(100));
        ctx.set_timer(t(60), 1);
        let drained: Vec<AccountCommand> = buf.drain_commands().collect();
        assert_eq!(drained.len(), 8);
        assert_eq!(drained[2].account, AccountId(9));
        assert_eq!(
            drained[7].command,
            Command::Transfer {
                from: Wallet::Spot,
                to: Wallet::Futures,
                amount: Money::from_int(100)
            }
        );
        assert_eq!(
            buf.drain_timers().collect::<Vec<_>>(),
            [TimerRequest { at: t(60), id: 1 }]
        );
        assert!(buf.is_empty());
        // Draining keeps the allocation: steady state does not allocate.
        assert_eq!(buf.commands().as_ptr(), cap);
    }
}

#[test]
#[should_panic(expected = "not one of the strategy's accounts")]
fn commands_for_foreign_accounts_are_a_bug() {
    let market = MarketView::new(&specs());
    let accounts = vec![AccountView::new(AccountId(0), 2)];
    let mut buf = CommandBuffer::new();
    let mut ctx = Ctx::new(t(0), &market, &accounts, &mut buf);
    ctx.command_for(AccountId(1), Command::CancelAll { instrument: PERP });
}

/// Records which callbacks ran.
#[derive(Default)]
struct Recorder(Vec<String>);

impl Strategy for Recorder {
    fn on_fill(&mut self, f: &FillInfo, _: &mut Ctx<'_>) {
        self.0.push(format!(
            "fill {} {} @ {} fee {}",
            f.side, f.qty, f.price, f.fee
        ));
    }
    fn on_funding(&mut self, f: &FundingInfo, _: &mut Ctx<'_>) {
        self.0.push(format!("funding {} paid {}", f.rate, f.amount));
    }
    fn on_liquidation(&mut self, l: &LiquidationInfo, _: &mut Ctx<'_>) {
        self.0.push(format!(
            "liquidation {:?} {} {} @ {}",
            l.kind, l.side, l.qty, l.price
        ));
    }
    fn on_adl(&mut self, a: &AdlInfo, _: &mut Ctx<'_>) {
        self.0.push(format!(
            "adl {} vs {} {} {} @ {}",
            a.victim, a.counterparty, a.side, a.qty, a.price
        ));
    }
    fn on_timer(&mut self, id: u64, ctx: &mut Ctx<'_>) {
        self.0.push(format!("timer {id} at {}", ctx.now()));
    }
}

#[test]
fn outputs_are_dispatched_to_typed_callbacks() {
    let mut h = Harness::new(&specs());
    let mut r = Recorder::default();
    let a = AccountId(0);
    let outputs = [
        Output::Accepted {
            account: a,
            order_id: OrderId(1),
            client_id: 5,
        },
        Output::Fill {
            account: a,
            instrument: PERP,
            order_id: OrderId(1),
            side: Side::Buy,
            qty: q("1"),
            price: p("100"),
            fee: Money::from_int(1),
            maker: false,
            reference: p("100"),
            slippage: Money::ZERO,
        },
        Output::Funding {
            account: a,
            instrument: PERP,
            rate: "0.0001".parse().unwrap(),
            amount: "0.01".parse().unwrap(),
        },
        Output::MarginCall {
            account: a,
            margin_ratio: "0.8".parse().unwrap(),
        },
        Output::Liquidation {
            account: a,
            instrument: PERP,
            kind: LiquidationKind::Partial,
            side: Side::Sell,
            qty: q("0.2"),
            price: p("90"),
            bankruptcy_price: p("89"),
            fee: Money::ZERO,
        },
        Output::Adl {
            victim: a,
            counterparty: AccountId(77),
            instrument: PERP,
            side: Side::Sell,
            qty: q("0.1"),
            price: p("95"),
        },
    ];
    for o in &outputs {
        assert!(h.output(&mut r, o).is_empty());
    }
    h.set_now(t(0));
    let mut ctx_timers = CommandBuffer::new();
    {
        let accounts = h.accounts.clone();
        let mut ctx = Ctx::new(t(0), &h.market, &accounts, &mut ctx_timers);
        ctx.set_timer(t(10), 2);
        ctx.set_timer(t(5), 1);
        ctx.set_timer(t(10), 3);
    }
    h.timers.extend(ctx_timers.drain_timers());
    h.set_now(t(10));
    h.fire_timers(&mut r);
    insta::assert_snapshot!(r.0.join("\n"), @r"
    fill buy 1 @ 100 fee 1
    funding 0.0001 paid 0.01
    liquidation Partial sell 0.2 @ 90
    adl a0 vs a77 sell 0.1 @ 95
    timer 1 at 2025-10-10T21:00:10Z
    timer 2 at 2025-10-10T21:00:10Z
    timer 3 at 2025-10-10T21:00:10Z
    ");
    h.finish(&mut r);
}

#[test]
fn noise_alternates_every_n_events() {
    let registry = Registry::with_builtins();
    let params = Params::new()
        .with_overrides(["every=3", "qty=0.5", "instrument=1"])
        .unwrap();
    let mut s = registry.create("noise", &params).unwrap();
    let mut h = Harness::new(&specs());
    assert!(h.start(s.as_mut()).unwrap().is_empty());
    let mut sides = Vec::new();
    for i in 0..10 {
        for c in h.event(s.as_mut(), &trade(i, PERP, Side::Buy, "1", "100")) {
            let Command::Place(o) = c.command else {
                panic!("{c:?}")
            };
            assert_eq!(
                (o.instrument, o.qty, o.kind),
                (SPOT, q("0.5"), OrderKind::Market)
            );
            sides.push((i, o.side));
        }
    }
    assert_eq!(sides, [(2, Side::Buy), (5, Side::Sell), (8, Side::Buy)]);

    let far = Params::new().with_overrides(["instrument=5"]).unwrap();
    let mut s = registry.create("noise", &far).unwrap();
    assert_eq!(
        h.start(s.as_mut()).unwrap_err().to_string(),
        "parameter `instrument`: the run has no instrument 5 (it has 2)"
    );
}

#[test]
fn noop_does_nothing() {
    let mut s = Registry::with_builtins()
        .create("noop", &Params::new())
        .unwrap();
    let mut h = Harness::new(&specs());
    assert!(h.start(s.as_mut()).unwrap().is_empty());
    assert!(h
        .event(s.as_mut(), &trade(0, PERP, Side::Buy, "1", "100"))
        .is_empty());
}

#[test]
fn strategy_is_object_safe_and_send() {
    fn is_send<T: Send + ?Sized>() {}
    is_send::<dyn Strategy>();
    let v: Vec<Box<dyn Strategy>> = vec![Box::new(NoOp), Box::new(Noise::new(1, Qty::ONE, PERP))];
    assert_eq!(v.len(), 2);
}

#[test]
fn account_view_helpers() {
    let mut a = AccountView::new(AccountId(1), 2);
    assert_eq!(a.open_positions().count(), 0);
    a.positions[1].qty = q("2");
    assert_eq!(
        a.open_positions().map(|p| p.instrument).collect::<Vec<_>>(),
        [SPOT]
    );
    assert_eq!(a.position(SPOT).side(), Some(Side::Buy));
    a.orders.push(OrderView {
        order_id: OrderId(1),
        client_id: 42,
        instrument: PERP,
        side: Side::Sell,
        kind: OrderKind::Limit { price: p("1") },
        tif: TimeInForce::Gtc,
        qty: q("2"),
        reduce_only: false,
        post_only: true,
    });
    assert_eq!(a.orders_on(PERP).count(), 1);
    assert_eq!(a.orders_on(SPOT).count(), 0);
    assert_eq!(a.order_by_client_id(42).unwrap().remaining(), q("2"));
}

#[test]
fn the_per_trade_notional_is_price_notional_half_even() {
    use crate::market::notional_half_even_raw;
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    // `Price::notional` is `mul_div(price, qty, SCALE, rounding)` and panics on `None`.
    let check = |p: i64, q: i64| {
        let want = Price::from_raw(p)
            .mul_div(q, SCALE, Rounding::HalfEven)
            .map(Price::raw);
        assert_eq!(notional_half_even_raw(p, q), want, "{p} × {q}");
    };
    // Exact halves (both parities), remainders around them, both signs, every magnitude.
    let d = SCALE;
    for p in [
        0,
        1,
        2,
        3,
        d / 2,
        d - 1,
        d,
        d + 1,
        3 * d / 2,
        5 * d / 2,
        6_000_000_000_000,
    ] {
        for q in [
            0,
            1,
            50_000_000,
            49_999_999,
            50_000_001,
            150_000_000,
            d,
            7 * d,
        ] {
            for (sp, sq) in [(1, 1), (-1, 1), (1, -1), (-1, -1)] {
                check(sp * p, sq * q);
            }
        }
    }
    let edges = [i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX];
    for p in edges {
        for q in edges.into_iter().chain([d, -d, 2, d / 2]) {
            check(p, q);
        }
    }
    // Products at the edge of an i64 result: ±(2⁶³ · 10⁸) ± a little.
    for q in [d - 1, d, d + 1] {
        for p in [i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1] {
            check(p, q);
        }
    }
    // Random products, with magnitudes spread from 2⁰ to 2¹²⁶ (many overflow).
    for _ in 0..500_000 {
        let (a, b, s) = (rnd(), rnd(), rnd());
        let p = (a >> (s % 64)) as i64;
        let q = (b >> ((s >> 6) % 64)) as i64;
        check(p, q);
        check(p.wrapping_neg(), q);
        check(p | 1, d / 2);
        check(p & !1, 3 * (d / 2));
    }
    // The wrapper returns the same money as `Price::notional`.
    let (p, q) = (
        "60000.5".parse::<Price>().unwrap(),
        "0.123".parse::<Qty>().unwrap(),
    );
    assert_eq!(
        crate::market::notional_half_even(p, q),
        p.notional(q, Rounding::HalfEven)
    );
}

/// A context is `Send` and `Sync` whether it holds views or a source.
#[test]
fn a_context_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Ctx<'static>>();
}

/// A source that counts how often its views are filled.
struct CountingSource {
    ids: Vec<AccountId>,
    views: Vec<AccountView>,
    fills: std::sync::atomic::AtomicUsize,
}

impl AccountSource for CountingSource {
    fn ids(&self) -> &[AccountId] {
        &self.ids
    }
    fn views(&self) -> &[AccountView] {
        self.fills
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        &self.views
    }
}

#[test]
fn a_context_with_a_source_fills_views_only_when_they_are_read() {
    let market = MarketView::new(&specs());
    let mut view = AccountView::new(AccountId(7), 2);
    view.positions[0].qty = q("1.5");
    let source = CountingSource {
        ids: vec![AccountId(7)],
        views: vec![view],
        fills: Default::default(),
    };
    let fills = || source.fills.load(std::sync::atomic::Ordering::Relaxed);
    let mut buffer = CommandBuffer::new();
    let mut ctx = Ctx::with_source(t(0), &market, &source, &mut buffer);
    // Commands need only the ids.
    ctx.place(OrderRequest::market(PERP, Side::Buy, q("1")));
    ctx.command_for(AccountId(7), Command::CancelAll { instrument: PERP });
    ctx.set_leverage(PERP, 5);
    assert_eq!(fills(), 0);
    assert_eq!(ctx.position(PERP).qty, q("1.5"));
    assert_eq!(ctx.account().id, AccountId(7));
    assert_eq!(ctx.accounts().len(), 1);
    assert!(fills() > 0);
    let c = buffer.commands();
    assert_eq!(c.len(), 3);
    assert!(c.iter().all(|c| c.account == AccountId(7)));
}

#[test]
#[should_panic(expected = "not one of the strategy's accounts")]
fn a_context_with_a_source_refuses_other_accounts() {
    let market = MarketView::new(&specs());
    let source = CountingSource {
        ids: vec![AccountId(7)],
        views: vec![AccountView::new(AccountId(7), 2)],
        fills: Default::default(),
    };
    let mut buffer = CommandBuffer::new();
    let mut ctx = Ctx::with_source(t(0), &market, &source, &mut buffer);
    ctx.command_for(AccountId(8), Command::CancelAll { instrument: PERP });
}
