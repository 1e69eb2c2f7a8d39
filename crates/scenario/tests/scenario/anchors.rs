//! Every reconstruction hits its published anchors exactly: the price before, the low (value,
//! bar and uniqueness), the first-leg low, the mark low, the recovery, the funding sign and
//! published rate before and after, the open-interest change (within 10⁻⁴) and the
//! liquidation totals (to the 10⁻⁸ dollar). The targets are recomputed here from the
//! figures, not read back from the generator's plan.

use crate::common::*;
use cascade_scenario::{liquidation_notional, FundingSign, Reconstruction, Scenario};
use cascade_types::{BarSource, EventBody, Money, Price, Rate, Side, Ts, SCALE};
use std::fmt::Write;

/// The published dollars of one side, per the rule written in `Plan`'s docs, times the
/// venue share, rounded half-even to whole dollars — recomputed independently.
fn expected_target(s: &Scenario, side: Side) -> i64 {
    let l = &s.figures.liquidations;
    let f = s
        .generator
        .liquidations
        .long_fraction
        .map(|r| r.raw() as i128);
    let sc = SCALE as i128;
    let long: i128 = match (l.long_usd, l.total_usd) {
        (Some(x), _) => x as i128,
        (None, Some(t)) => div_half_even(t as i128 * f.unwrap(), sc),
        _ => panic!("no long figure"),
    };
    let market: i128 = match side {
        Side::Sell => long,
        Side::Buy => match (l.short_usd, l.total_usd) {
            (Some(x), _) => x as i128,
            (None, Some(t)) => t as i128 - long,
            (None, None) => div_half_even(long * (sc - f.unwrap()), f.unwrap()),
        },
    };
    div_half_even(
        market * s.generator.liquidations.venue_share.raw() as i128,
        sc,
    ) as i64
}

fn div_half_even(n: i128, d: i128) -> i128 {
    let (q, r) = (n.div_euclid(d), n.rem_euclid(d));
    if 2 * r > d || (2 * r == d && q % 2 == 1) {
        q + 1
    } else {
        q
    }
}

fn check(s: &Scenario, r: &Reconstruction) -> String {
    let p = &r.plan;
    let bar_s = p.bar_interval_s;
    let last = bars(r, r.perp, BarSource::Last);
    let mark = bars(r, r.perp, BarSource::Mark);
    let mut out = String::new();
    let mut line = |label: &str, text: String| writeln!(out, "  {label:<14} {text}").unwrap();

    // Price before: the close of the bar ending at its time (the first open at the start).
    let pb = &s.figures.price_before;
    let got = bar_closing_at(&last, bar_s, p.price_before.at).map_or(last[0].open, |b| b.close);
    line(
        "price before",
        format!(
            "{} at {}: {} {}",
            pb.value,
            p.price_before.at,
            got,
            verdict(got == pb.value && p.price_before.price == pb.value)
        ),
    );
    let got = bar_closing_at(&last, bar_s, p.crash_start.at).map_or(last[0].open, |b| b.close);
    line(
        "crash start",
        format!(
            "{} at {}: {} {}",
            p.crash_start.price,
            p.crash_start.at,
            got,
            verdict(got == p.crash_start.price)
        ),
    );

    // Low: the lowest last price, in the bar at the low's time, and nowhere else.
    let low = s.figures.low.value;
    let lowest = last.iter().min_by_key(|b| (b.low, b.open_time)).unwrap();
    let ties = last.iter().filter(|b| b.low == lowest.low).count();
    let ok = lowest.low == low && lowest.open_time == p.low.bar_open && ties == 1;
    line(
        "low",
        format!(
            "{low} in bar {}: lowest {} in bar {} (x{ties}) {}",
            p.low.bar_open,
            lowest.low,
            lowest.open_time,
            verdict(ok)
        ),
    );

    // First leg: its bar's low, the lowest between the crash start and the bounce.
    match (&s.figures.first_leg_low, p.first_leg, p.bounce) {
        (Some(fig), Some(t), Some(b)) => {
            let span: Vec<_> = last
                .iter()
                .filter(|x| x.open_time >= p.crash_start.at && x.open_time < b.at)
                .collect();
            let lo = span.iter().min_by_key(|x| (x.low, x.open_time)).unwrap();
            let ties = span.iter().filter(|x| x.low == lo.low).count();
            let ok = lo.low == fig.value && lo.open_time == t.bar_open && ties == 1;
            line(
                "first leg",
                format!(
                    "{} in bar {}: lowest before the bounce {} in bar {} {}",
                    fig.value,
                    t.bar_open,
                    lo.low,
                    lo.open_time,
                    verdict(ok)
                ),
            );
        }
        (None, None, None) => line("first leg", "not published".into()),
        _ => line("first leg", "MISMATCH between figure and plan".into()),
    }

    // Mark low: published when given, else the gap rule; in the low's bar; mark inside last.
    let mlow = mark.iter().min_by_key(|b| (b.low, b.open_time)).unwrap();
    let want = s
        .figures
        .mark_low
        .as_ref()
        .map_or(p.low.mark_low, |f| f.value);
    let inside = last
        .iter()
        .zip(&mark)
        .all(|(l, m)| l.low <= m.low && m.high <= l.high && l.open == m.open && l.close == m.close);
    let source = if s.figures.mark_low.is_some() {
        "published"
    } else {
        "gap rule"
    };
    line(
        "mark low",
        format!("{want} ({source}): lowest mark {} in bar {}; mark range inside last in every bar: {} {}", mlow.low, mlow.open_time, inside, verdict(mlow.low == want && mlow.open_time == p.low.bar_open && inside)),
    );

    // Recovery.
    let got = bar_closing_at(&last, bar_s, p.recovery.at).unwrap().close;
    let ok = got == p.recovery.price && s.figures.recovery.as_ref().is_none_or(|f| f.value == got);
    let source = if s.figures.recovery.is_some() {
        "published"
    } else {
        "fraction rule"
    };
    line(
        "recovery",
        format!(
            "{} ({source}) at {}: {} {}",
            p.recovery.price,
            p.recovery.at,
            got,
            verdict(ok)
        ),
    );

    // Funding: every settlement before the crash at the before rate, every one after the
    // low at the after rate; both with the published sign and, where given, rate.
    let settle = select(r, r.perp, |b| match b {
        EventBody::FundingSettlement(x) => Some(x.rate),
        _ => None,
    });
    let listed = |t: &Ts| p.funding_settled.iter().any(|(at, _)| at == t);
    let real_ok = p
        .funding_settled
        .iter()
        .all(|(at, rate)| settle.iter().any(|(t, x)| t == at && x == rate));
    let ruled: Vec<(Ts, Rate)> = settle.iter().copied().filter(|(t, _)| !listed(t)).collect();
    let settle = ruled;
    let before: Vec<Rate> = settle
        .iter()
        .filter(|(t, _)| *t <= p.crash_start.at)
        .map(|x| x.1)
        .collect();
    let after: Vec<Rate> = settle
        .iter()
        .filter(|(t, _)| *t >= p.low.bar_open)
        .map(|x| x.1)
        .collect();
    let fund =
        |name: &str, fig: Option<&cascade_scenario::FundingFigure>, want: Rate, got: &[Rate]| {
            let sign_ok = fig.is_none_or(|f| FundingSign::of(want) == f.sign);
            let rate_ok = fig.and_then(|f| f.rate).is_none_or(|x| x == want);
            // Rule-made settlements only; the real ones are checked against their list.
            let all = got.iter().all(|&x| x == want);
            let published = fig.map_or("not published".to_string(), |f| match f.rate {
                Some(x) => format!("published {} {x}", f.sign),
                None => format!("published {}", f.sign),
            });
            format!(
                "{name} {want} ({published}) x{} {}",
                got.len(),
                verdict(sign_ok && rate_ok && all)
            )
        };
    let b = fund(
        "before",
        s.figures.funding_before.as_ref(),
        p.funding_before,
        &before,
    );
    let a = fund(
        "after",
        s.figures.funding_after.as_ref(),
        p.funding_after,
        &after,
    );
    line("funding", format!("{b}; {a}"));
    if !p.funding_settled.is_empty() {
        line(
            "funding",
            format!(
                "{} real settlements (figures.funding_settled) settled as listed {}",
                p.funding_settled.len(),
                verdict(real_ok)
            ),
        );
    }

    // Open interest: from the row at the crash start to the last row.
    let oi = select(r, r.perp, |b| match b {
        EventBody::OpenInterest(x) => Some(x.qty),
        _ => None,
    });
    let at_cs = oi.iter().find(|(t, _)| *t == p.crash_start.at).unwrap().1;
    let end = oi.last().unwrap().1;
    let change = end.to_f64() / at_cs.to_f64() - 1.0;
    let published = s.figures.open_interest.as_ref().and_then(|o| o.change());
    let want = published.unwrap_or(p.oi_change);
    let ok = (change - want.to_f64()).abs() < 1e-4 && published.is_none_or(|x| x == p.oi_change);
    let source = if published.is_some() {
        "published"
    } else {
        "modelling default"
    };
    line(
        "open interest",
        format!(
            "change {want} ({source}): {at_cs} -> {end} = {change:+.5} {}",
            verdict(ok)
        ),
    );

    // Liquidations: the notionals of each side sum exactly to the published figure x share.
    let spec = &r.instruments[r.perp.index()];
    let liqs = liquidations(r);
    for (side, name, planned) in [
        (Side::Sell, "longs", p.liquidations_long),
        (Side::Buy, "shorts", p.liquidations_short),
    ] {
        let sum: Money = liqs
            .iter()
            .filter(|(_, l)| l.side == side)
            .map(|(_, l)| liquidation_notional(spec, l))
            .sum();
        let want = Money::from_raw(expected_target(s, side) * SCALE);
        line(
            "liquidations",
            format!(
                "{name} {want} = figure x {}: sum {sum} {}",
                s.generator.liquidations.venue_share,
                verdict(sum == want && planned == want)
            ),
        );
    }
    out
}

#[test]
fn every_reconstruction_hits_its_published_anchors() {
    let mut report = String::new();
    for (s, r) in catalogue() {
        writeln!(report, "{}", s.id).unwrap();
        report.push_str(&check(s, r));
    }
    assert!(!report.contains("MISMATCH"), "{report}");
    insta::assert_snapshot!(report);
}

#[test]
fn five_minute_bars_hit_the_same_anchors() {
    let (s, _) = scenario("2025-10-10-tariff-crash");
    let mut five = s.clone();
    five.generator.bar_interval_s = 300;
    let r = five.reconstruct();
    let report = check(&five, &r);
    assert!(!report.contains("MISMATCH"), "{report}");
    assert_eq!(bars(&r, r.perp, BarSource::Last).len(), 18 * 12);
}

#[test]
fn liquidation_orders_lie_in_their_bars_range() {
    for (s, r) in catalogue() {
        let last = bars(r, r.perp, BarSource::Last);
        let tick = r.instruments[r.perp.index()].tick;
        for (ts, l) in liquidations(r) {
            let b = bar_closing_at(&last, r.plan.bar_interval_s, ts).unwrap();
            // The side's last order carries an average price at 10⁻⁸ resolution.
            let ok = l.price >= b.low - tick && l.price <= b.high + tick && l.qty.is_positive();
            assert!(ok, "{}: {ts} {l:?} outside {} .. {}", s.id, b.low, b.high);
        }
    }
}

#[test]
fn the_mark_low_of_10_10_is_the_published_5m_mark_low() {
    let (s, r) = scenario("2025-10-10-tariff-crash");
    let mark = bars(r, r.perp, BarSource::Mark);
    let low = mark.iter().map(|b| b.low).min().unwrap();
    assert_eq!(low, "101877.7".parse::<Price>().unwrap());
    assert_eq!(s.figures.mark_low.as_ref().unwrap().value, low);
}
