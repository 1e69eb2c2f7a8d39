//! Calibration recovers a known leverage distribution: liquidations modelled with it are
//! written into the log as recorded ones, and the fit over a grid that contains it finds it
//! (loss 0) — deterministically.

use crate::support::*;
use cascade_crowd::{
    calibrate, replay, CalibrationGrid, CalibrationInput, Crowd, CrowdConfig, CrowdError,
    LeverageDist, SizeDist,
};
use cascade_exchange::Exchange;
use cascade_types::*;

/// A 10-minute slide from 60,000 to 54,000, then back to 57,000, with a book.
fn market() -> Vec<Event> {
    let t0 = day("2025-01-01T00:00:00Z");
    let i = InstrumentId(0);
    let mut v = Vec::new();
    for s in 0..=900i64 {
        let ts = t0.plus_secs(s);
        let px = Price::from_int(if s <= 600 {
            60_000 - 10 * s
        } else {
            54_000 + 10 * (s - 600)
        });
        let ev = |body| Event {
            ts,
            instrument: i,
            body,
        };
        v.push(ev(EventBody::BookTop(BookTop {
            bid_price: px - Price::from_raw(10_000_000),
            bid_qty: Qty::from_int(5),
            ask_price: px,
            ask_qty: Qty::from_int(5),
        })));
        v.push(ev(EventBody::MarkPrice(px)));
    }
    v
}

fn exchange() -> Exchange {
    let (rules, inst) = binance_btc();
    let mut ex = Exchange::new(rules, inst).unwrap();
    ex.seed_insurance_fund(0, Money::from_int(100_000));
    let mut out = Vec::new();
    for ev in &market()[..2] {
        ex.on_market(ev, &mut out);
    }
    ex
}

fn base() -> CrowdConfig {
    CrowdConfig {
        seed: 8,
        size: SizeDist::LogNormal {
            median: 20_000.0,
            sigma: 1.0,
            min: 500.0,
            max: 500_000.0,
        },
        initial_spread_bps: 500,
        fidelity_interval_s: 60,
        ..CrowdConfig::default()
    }
}

/// The market with the liquidations a crowd of leverage `(median, sigma)` suffers in it
/// written in as recorded forced orders.
fn recorded(median: f64, sigma: f64) -> Vec<Event> {
    let mut cfg = base();
    cfg.leverage = LeverageDist::LogNormal {
        median,
        sigma,
        max: 125,
    };
    let mut ex = exchange();
    let mut crowd = Crowd::new(cfg, &ex).unwrap();
    let mut out = Vec::new();
    crowd
        .seed_spread(
            &mut ex,
            Qty::from_int(300),
            Price::from_int(60_000),
            &mut out,
        )
        .unwrap();
    let events: Vec<Event> = market().into_iter().skip(2).collect();
    replay(&mut ex, &mut crowd, events.iter().copied());
    let liqs = &crowd.record().liquidations;
    assert!(
        liqs.len() > 50,
        "the truth liquidates something: {}",
        liqs.len()
    );
    // Merge, stably: a liquidation after the market events of its second.
    let mut merged = Vec::with_capacity(events.len() + liqs.len());
    let mut k = 0;
    for ev in events {
        while k < liqs.len() && liqs[k].ts < ev.ts {
            merged.push(forced(&liqs[k]));
            k += 1;
        }
        merged.push(ev);
    }
    merged.extend(liqs[k..].iter().map(forced));
    merged
}

fn forced(l: &cascade_crowd::ModelledLiquidation) -> Event {
    Event {
        ts: l.ts,
        instrument: InstrumentId(0),
        body: EventBody::Liquidation(Liquidation {
            side: l.side,
            price: l.price,
            qty: l.qty,
        }),
    }
}

#[test]
fn recovers_the_leverage_that_made_the_liquidations() {
    let events = recorded(20.0, 0.5);
    let make = exchange;
    let input = CalibrationInput {
        base: base(),
        exchange: &make,
        starting_book: Some((Qty::from_int(300), Price::from_int(60_000))),
        events: &events,
        window: (day("2025-01-01T00:00:00Z"), day("2025-01-01T01:00:00Z")),
    };
    let grid = CalibrationGrid {
        medians: vec![5.0, 10.0, 20.0, 40.0],
        sigmas: vec![0.2, 0.5, 0.9],
        max_leverage: 125,
        refine_rounds: 1,
    };
    let fit = calibrate(&input, &grid).unwrap();
    let best = fit.best();
    assert_eq!((best.median, best.sigma), (20.0, 0.5), "\n{}", fit.render());
    assert_eq!(best.loss, Some(0.0));
    assert_eq!(best.modelled, best.recorded);
    // Every other point is worse.
    assert!(fit
        .points
        .iter()
        .filter(|p| (p.median, p.sigma) != (20.0, 0.5))
        .all(|p| p.loss.unwrap() > 0.0));
    // The same fit twice.
    assert_eq!(calibrate(&input, &grid).unwrap(), fit);
    insta::assert_snapshot!(fit.render());
}

#[test]
fn nothing_recorded_is_an_error() {
    let events: Vec<Event> = market().into_iter().skip(2).collect();
    let make = exchange;
    let input = CalibrationInput {
        base: base(),
        exchange: &make,
        starting_book: Some((Qty::from_int(300), Price::from_int(60_000))),
        events: &events,
        window: (day("2025-01-01T00:00:00Z"), day("2025-01-01T01:00:00Z")),
    };
    let grid = CalibrationGrid {
        medians: vec![10.0],
        sigmas: vec![0.5],
        max_leverage: 125,
        refine_rounds: 0,
    };
    let e = calibrate(&input, &grid).unwrap_err();
    assert!(matches!(e, CrowdError::Calibration(_)), "{e}");
    assert!(e.to_string().contains("no recorded liquidation"), "{e}");
}
