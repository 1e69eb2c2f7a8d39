//! The test driver: an exchange and a crowd, every event logged with its outputs as one
//! purpose-built line each, and after every event the exchange's invariant checker and the
//! crowd's consistency check (a violation fails the test on the spot).

use cascade_crowd::{Crowd, CrowdConfig, SeedPosition};
use cascade_exchange::{check_invariants, Exchange, InstrumentConfig, VenueRules};
use cascade_types::*;
use std::fmt::Write;

pub fn day(s: &str) -> Ts {
    Ts::parse_utc(s).unwrap()
}
pub fn p(s: &str) -> Price {
    s.parse().unwrap()
}
pub fn q(s: &str) -> Qty {
    s.parse().unwrap()
}
pub fn m(s: &str) -> Money {
    s.parse().unwrap()
}

/// A perpetual "TEST" with one bracket: MMR 1 %, at most 50x — round numbers to compute by
/// hand. Tick 0.01, lot 0.001.
pub fn test_perp() -> InstrumentConfig {
    let tiers = TierTable::from_brackets(&[(Money::ZERO, Money::MAX, "0.01".parse().unwrap(), 50)])
        .unwrap();
    let mut spec = InstrumentSpec::new("test", "TEST", InstrumentKind::LinearPerp, "T", "USD");
    spec.tick = p("0.01");
    spec.lot = q("0.001");
    InstrumentConfig::perp(spec, tiers)
}

/// Binance USDⓈ-M BTCUSDT (2024-08-05 rules and brackets), lot 0.001, tick 0.1.
pub fn binance_btc() -> (VenueRules, Vec<InstrumentConfig>) {
    let date = day("2024-08-05");
    let mut btc = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
    btc.spec.lot = q("0.001");
    btc.spec.tick = p("0.1");
    (VenueRules::binance_usdm(date), vec![btc])
}

/// A scenario in progress.
pub struct Sim {
    pub ex: Exchange,
    pub crowd: Crowd,
    pub log: String,
    pub t: Ts,
    out: Vec<Output>,
    names: Vec<(AccountId, String)>,
}

impl Sim {
    pub fn new(rules: VenueRules, instruments: Vec<InstrumentConfig>, cfg: CrowdConfig) -> Sim {
        let ex = Exchange::new(rules, instruments).unwrap();
        let crowd = Crowd::new(cfg, &ex).unwrap();
        Sim {
            ex,
            crowd,
            log: String::new(),
            t: day("2025-01-01T00:00:00Z"),
            out: Vec::new(),
            names: vec![(Exchange::MARKET, "market".into())],
        }
    }

    pub fn name(&self, a: AccountId) -> String {
        self.names
            .iter()
            .find(|(x, _)| *x == a)
            .map_or_else(|| a.to_string(), |(_, n)| n.clone())
    }

    pub fn wait(&mut self, s: i64) {
        self.t = self.t.plus_secs(s);
    }

    pub fn seed_fund(&mut self, amount: &str) {
        self.ex.seed_insurance_fund(0, m(amount));
        writeln!(self.log, "> seed insurance fund {amount}").unwrap();
        self.audit();
    }

    /// Seeds crowd positions `(name, qty, entry, leverage, deposit)`.
    pub fn seed_book(&mut self, book: &[(&str, &str, &str, u32, &str)]) {
        let positions: Vec<SeedPosition> = book
            .iter()
            .map(|&(_, qty, entry, leverage, deposit)| SeedPosition {
                qty: q(qty),
                entry: p(entry),
                leverage,
                deposit: m(deposit),
            })
            .collect();
        let first = self.ex.account_count() as u32;
        self.crowd
            .seed_book(&mut self.ex, &positions, &mut self.out)
            .unwrap();
        for (k, &(name, qty, entry, leverage, deposit)) in book.iter().enumerate() {
            let a = AccountId(first + k as u32);
            self.names.push((a, name.to_string()));
            writeln!(
                self.log,
                "> crowd {name} ({a}): {qty} at {entry}, {leverage}x, deposit {deposit}"
            )
            .unwrap();
        }
        self.flush();
    }

    /// A non-crowd account (a strategy's) with a position at a price.
    pub fn trader(
        &mut self,
        name: &str,
        deposit: &str,
        qty: &str,
        price: &str,
        lev: u32,
    ) -> AccountId {
        let a = self.ex.open_account(m(deposit));
        self.names.push((a, name.to_string()));
        let i = InstrumentId(0);
        self.ex.on_command(
            self.t,
            a,
            &Command::SetLeverage {
                instrument: i,
                leverage: lev,
            },
            &mut self.out,
        );
        self.ex
            .open_position_at(a, i, q(qty), p(price), &mut self.out)
            .unwrap();
        writeln!(
            self.log,
            "> {name} ({a}): deposit {deposit}, {qty} at {price}, {lev}x"
        )
        .unwrap();
        self.flush();
        a
    }

    pub fn event(&mut self, body: EventBody) {
        let ev = Event {
            ts: self.t,
            instrument: InstrumentId(0),
            body,
        };
        writeln!(self.log, "> {ev}").unwrap();
        self.ex.on_market(&ev, &mut self.out);
        self.crowd.on_event(&mut self.ex, &ev, &mut self.out);
        self.flush();
    }

    pub fn mark(&mut self, price: &str) {
        self.event(EventBody::MarkPrice(p(price)));
    }

    pub fn book(&mut self, bid: &str, ask: &str, qty: &str) {
        self.event(EventBody::BookTop(BookTop {
            bid_price: p(bid),
            bid_qty: q(qty),
            ask_price: p(ask),
            ask_qty: q(qty),
        }));
    }

    pub fn open_interest(&mut self, qty: &str) {
        self.event(EventBody::OpenInterest(OpenInterest {
            qty: q(qty),
            value: Money::ZERO,
        }));
    }

    pub fn trade(&mut self, price: &str, qty: &str) {
        self.event(EventBody::Trade(Trade {
            price: p(price),
            qty: q(qty),
            aggressor: Side::Buy,
            trade_id: 0,
        }));
    }

    /// The heatmap summary at the mark, one line.
    pub fn show_heatmap(&mut self) {
        let mark = self.ex.mark_price(InstrumentId(0)).unwrap();
        let s = self.crowd.heatmap_summary(self.t, mark);
        let mut line = format!("  = heatmap at {mark}:");
        for b in s.bands() {
            write!(
                line,
                " {}bps longs {} shorts {};",
                b.within_bps, b.longs_below, b.shorts_above
            )
            .unwrap();
        }
        writeln!(self.log, "{line}").unwrap();
    }

    fn audit(&mut self) {
        if let Err(e) = check_invariants(&self.ex) {
            panic!("{e}\n--- log so far ---\n{}", self.log);
        }
        if let Err(e) = self.crowd.check_consistency(&self.ex) {
            panic!("{e}\n--- log so far ---\n{}", self.log);
        }
    }

    fn flush(&mut self) {
        let outs = std::mem::take(&mut self.out);
        for o in &outs {
            let line = self.render(o);
            writeln!(self.log, "  {line}").unwrap();
        }
        self.audit();
    }

    pub fn render(&self, o: &Output) -> String {
        match *o {
            Output::Liquidation {
                account,
                kind,
                side,
                qty,
                price,
                bankruptcy_price,
                fee,
                ..
            } => format!(
                "liquidation {} {kind:?} {side} {qty} @ {price} (bankruptcy {bankruptcy_price}) fee {fee}",
                self.name(account)
            ),
            Output::InsuranceFund { delta, balance, .. } => {
                format!("insurance fund {delta} -> {balance}")
            }
            Output::Adl {
                victim,
                counterparty,
                side,
                qty,
                price,
                ..
            } => format!(
                "adl {} {side} {qty} @ {price} against {}",
                self.name(victim),
                self.name(counterparty)
            ),
            Output::Funding {
                account, amount, ..
            } => format!("funding {} {amount}", self.name(account)),
            other => format!("{other:?}"),
        }
    }

    /// The closing state: every named account, the crowd's totals, fund and pools.
    pub fn summary(&mut self) -> String {
        writeln!(self.log, "= state").unwrap();
        for k in 0..self.names.len() {
            let (a, name) = self.names[k].clone();
            let v = self.ex.account(a);
            let mut line = format!("  {name}: wallet {}", v.wallet);
            for pos in &v.positions {
                write!(
                    line,
                    " | {} @ {} liq {}",
                    pos.qty,
                    pos.entry,
                    pos.liquidation_price
                        .map_or("none".to_string(), |x| x.to_string())
                )
                .unwrap();
            }
            writeln!(self.log, "{line}").unwrap();
        }
        let (l, s) = self.crowd.open_interest();
        writeln!(
            self.log,
            "  crowd open interest long {l} short {s} | insurance fund {} | fee pool {} | deposits {}",
            self.ex.insurance_fund(0),
            self.ex.fee_pool(),
            self.ex.deposits()
        )
        .unwrap();
        std::mem::take(&mut self.log)
    }
}
