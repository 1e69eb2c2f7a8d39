//! The scenario driver and the purpose-built text rendering the snapshots pin.
//!
//! A scenario is a closure over a [`Sim`]: every market event and command it sends is logged
//! as a `>` line, followed by the exchange's outputs, one per line; after every event the
//! invariant checker runs (a violation fails the test on the spot). `check` returns the log.

use cascade_exchange::{check_invariants, CrowdPosition, Exchange, InstrumentConfig, VenueRules};
use cascade_types::*;
use std::fmt::Write;

/// A scenario in progress.
pub struct Sim {
    pub ex: Exchange,
    pub log: String,
    pub t: Ts,
    out: Vec<Output>,
    names: Vec<(AccountId, &'static str)>,
}

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

/// Runs a scenario and returns its log.
pub fn check(
    rules: VenueRules,
    instruments: Vec<InstrumentConfig>,
    scenario: impl FnOnce(&mut Sim),
) -> String {
    let ex = Exchange::new(rules, instruments).unwrap();
    let mut sim = Sim {
        ex,
        log: String::new(),
        t: day("2024-08-05T00:00:00Z"),
        out: Vec::new(),
        names: vec![(Exchange::MARKET, "market")],
    };
    scenario(&mut sim);
    sim.summary();
    sim.log
}

impl Sim {
    fn name(&self, a: AccountId) -> String {
        self.names
            .iter()
            .find(|(x, _)| *x == a)
            .map_or_else(|| a.to_string(), |(_, n)| n.to_string())
    }

    /// Advances simulated time by `s` seconds.
    pub fn wait(&mut self, s: i64) {
        self.t = self.t.plus_secs(s);
    }

    pub fn seed_fund(&mut self, amount: &str) {
        self.ex.seed_insurance_fund(0, m(amount));
        writeln!(self.log, "> seed insurance fund {amount}").unwrap();
        self.audit();
    }

    pub fn account(&mut self, name: &'static str, deposit: &str) -> AccountId {
        let a = self.ex.open_account(m(deposit));
        self.names.push((a, name));
        writeln!(self.log, "> open {name} with {deposit}").unwrap();
        self.audit();
        a
    }

    /// A crowd account: deposit, leverage, mode and a position at `entry`.
    #[allow(clippy::too_many_arguments)]
    pub fn crowd(
        &mut self,
        name: &'static str,
        i: u32,
        qty: &str,
        entry: &str,
        leverage: u32,
        mode: MarginMode,
        deposit: &str,
    ) -> AccountId {
        let c = CrowdPosition {
            instrument: InstrumentId(i),
            qty: q(qty),
            entry: p(entry),
            leverage,
            mode,
            deposit: m(deposit),
        };
        let a = self.ex.open_crowd_position(&c, &mut self.out).unwrap();
        self.names.push((a, name));
        writeln!(
            self.log,
            "> open {name} with {deposit}: {qty} of i{i} at {entry}, {leverage}x {mode:?}"
        )
        .unwrap();
        self.flush();
        a
    }

    /// A position for an existing account at a price (no book, no fee).
    pub fn open_at(&mut self, a: AccountId, i: u32, qty: &str, price: &str) {
        let r = self
            .ex
            .open_position_at(a, InstrumentId(i), q(qty), p(price), &mut self.out);
        writeln!(
            self.log,
            "> {} opens {qty} of i{i} at {price}{}",
            self.name(a),
            if r.is_err() {
                format!(": {r:?}")
            } else {
                String::new()
            }
        )
        .unwrap();
        self.flush();
    }

    pub fn event(&mut self, i: u32, body: EventBody) {
        let ev = Event {
            ts: self.t,
            instrument: InstrumentId(i),
            body,
        };
        writeln!(self.log, "> {ev}").unwrap();
        self.ex.on_market(&ev, &mut self.out);
        self.flush();
    }

    /// Logs the instrument's market state as the exchange sees it.
    pub fn show_market(&mut self, i: u32) {
        let v = self.ex.market(InstrumentId(i));
        let opt = |x: Option<String>| x.unwrap_or_else(|| "-".to_string());
        writeln!(
            self.log,
            "  = i{i} mark {} index {} funding {} next {}",
            opt(v.mark.map(|x| x.to_string())),
            opt(v.index.map(|x| x.to_string())),
            opt(v.funding_rate.map(|x| x.to_string())),
            opt(v.next_funding.map(|x| x.to_string()))
        )
        .unwrap();
    }

    pub fn mark(&mut self, i: u32, price: &str) {
        self.event(i, EventBody::MarkPrice(p(price)));
    }

    pub fn index(&mut self, i: u32, price: &str) {
        self.event(i, EventBody::IndexPrice(p(price)));
    }

    pub fn book(&mut self, i: u32, bid: &str, ask: &str, qty: &str) {
        self.event(
            i,
            EventBody::BookTop(BookTop {
                bid_price: p(bid),
                bid_qty: q(qty),
                ask_price: p(ask),
                ask_qty: q(qty),
            }),
        );
    }

    pub fn trade(&mut self, i: u32, price: &str, qty: &str, aggressor: Side) {
        self.event(
            i,
            EventBody::Trade(Trade {
                price: p(price),
                qty: q(qty),
                aggressor,
                trade_id: 0,
            }),
        );
    }

    pub fn settle(&mut self, i: u32, rate: &str) {
        self.event(
            i,
            EventBody::FundingSettlement(FundingSettlement {
                rate: rate.parse().unwrap(),
                interval_h: 8,
            }),
        );
    }

    pub fn command(&mut self, a: AccountId, cmd: Command) {
        writeln!(self.log, "> {} {}", self.name(a), render_command(&cmd)).unwrap();
        self.ex.on_command(self.t, a, &cmd, &mut self.out);
        self.flush();
    }

    pub fn order(
        &mut self,
        a: AccountId,
        i: u32,
        side: Side,
        qty: &str,
        kind: OrderKind,
        tif: TimeInForce,
    ) {
        self.order_full(a, i, side, qty, kind, tif, false, false);
    }

    #[allow(clippy::too_many_arguments)]
    pub fn order_full(
        &mut self,
        a: AccountId,
        i: u32,
        side: Side,
        qty: &str,
        kind: OrderKind,
        tif: TimeInForce,
        reduce_only: bool,
        post_only: bool,
    ) {
        let client_id = self.out.len() as u64 + 100;
        let req = OrderRequest {
            client_id,
            instrument: InstrumentId(i),
            side,
            qty: q(qty),
            kind,
            tif,
            reduce_only,
            post_only,
        };
        self.command(a, Command::Place(req));
    }

    fn audit(&mut self) {
        if let Err(e) = check_invariants(&self.ex) {
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

    /// One output as a line: who, what, how much, at what price.
    pub fn render(&self, o: &Output) -> String {
        match *o {
            Output::Accepted { account, order_id, .. } => format!("accepted {} {order_id}", self.name(account)),
            Output::Rejected { account, reason, .. } => format!("rejected {}: {reason:?}", self.name(account)),
            Output::Cancelled { account, order_id, .. } => format!("cancelled {} {order_id}", self.name(account)),
            Output::Triggered { account, order_id, .. } => format!("triggered {} {order_id}", self.name(account)),
            Output::Transferred { account, from, to, amount } => format!("transferred {} {amount} {from:?} -> {to:?}", self.name(account)),
            Output::Fill { account, instrument, side, qty, price, fee, maker, .. } => format!(
                "fill {} {instrument} {side} {qty} @ {price} fee {fee} {}",
                self.name(account),
                if maker { "maker" } else { "taker" }
            ),
            Output::Funding { account, instrument, rate, amount } => format!(
                "funding {} {instrument} rate {rate} {} {}",
                self.name(account),
                if amount.is_negative() { "receives" } else { "pays" },
                amount.abs()
            ),
            Output::MarginCall { account, margin_ratio } => format!("margin call {} ratio {margin_ratio}", self.name(account)),
            Output::Liquidation { account, instrument, kind, side, qty, price, bankruptcy_price, fee } => format!(
                "liquidation {} {instrument} {kind:?} {side} {qty} @ {price} (bankruptcy {bankruptcy_price}) fee {fee}",
                self.name(account)
            ),
            Output::InsuranceFund { instrument, delta, balance } => format!("insurance fund {instrument} {delta:+} -> {balance}", delta = Signed(delta)),
            Output::Adl { victim, counterparty, instrument, side, qty, price } => format!(
                "adl {} {instrument} {side} {qty} @ {price} against {}",
                self.name(victim),
                self.name(counterparty)
            ),
        }
    }

    /// The closing state: every named account, the market's position, funds and pools.
    fn summary(&mut self) {
        writeln!(self.log, "= state").unwrap();
        for k in 0..self.names.len() {
            let (a, name) = self.names[k];
            let v = self.ex.account(a);
            let mut line = format!("  {name}: wallet {} spot {}", v.wallet, v.spot_quote);
            for (i, h) in &v.spot {
                write!(line, " {i}:{h}").unwrap();
            }
            for pos in &v.positions {
                write!(
                    line,
                    " | {} {} @ {} margin {} liq {}",
                    pos.instrument,
                    pos.qty,
                    pos.entry,
                    pos.margin,
                    pos.liquidation_price
                        .map_or("none".to_string(), |x| x.to_string())
                )
                .unwrap();
            }
            writeln!(self.log, "{line}").unwrap();
        }
        writeln!(
            self.log,
            "  insurance fund {} | fee pool {} | funding pool {} | deposits {}",
            self.ex.insurance_fund(0),
            self.ex.fee_pool(),
            self.ex.funding_pool(),
            self.ex.deposits()
        )
        .unwrap();
    }
}

struct Signed(Money);
impl std::fmt::Display for Signed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_negative() {
            write!(f, "{}", self.0)
        } else {
            write!(f, "+{}", self.0)
        }
    }
}

fn render_command(c: &Command) -> String {
    match *c {
        Command::Place(r) => {
            let kind = match r.kind {
                OrderKind::Market => "market".to_string(),
                OrderKind::Limit { price } => format!("limit {price}"),
                OrderKind::StopMarket { trigger } => format!("stop-market {trigger}"),
                OrderKind::StopLimit { trigger, price } => {
                    format!("stop-limit {trigger} -> {price}")
                }
            };
            format!(
                "places {} {} {} {kind} {:?}{}{}",
                r.instrument,
                r.side,
                r.qty,
                r.tif,
                if r.reduce_only { " reduce-only" } else { "" },
                if r.post_only { " post-only" } else { "" }
            )
        }
        Command::Cancel { order_id } => format!("cancels {order_id}"),
        Command::CancelAll { instrument } => format!("cancels all on {instrument}"),
        Command::SetLeverage {
            instrument,
            leverage,
        } => format!("sets {instrument} leverage {leverage}x"),
        Command::SetMarginMode { instrument, mode } => format!("sets {instrument} {mode:?}"),
        Command::Transfer { from, to, amount } => format!("transfers {amount} {from:?} -> {to:?}"),
    }
}

/// Binance USDⓈ-M BTCUSDT (2024-08-05 rules and brackets), lot 0.001.
pub fn binance_btc() -> (VenueRules, Vec<InstrumentConfig>) {
    let date = day("2024-08-05");
    let mut btc = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
    btc.spec.lot = q("0.001");
    btc.spec.tick = p("0.01");
    (VenueRules::binance_usdm(date), vec![btc])
}
