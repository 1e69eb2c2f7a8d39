//! The strategy's outputs folded into the metrics' figures one at a time, in run order
//! ([`OutputFold`]): fills (volume, fees, slippage), funding, liquidation steps and ADL
//! closes, with each position replayed at average cost for the realised P&L. A run folds its
//! outputs as they happen, so it need not keep them; [`crate::metrics::compute`] folds a
//! record's outputs when the run did not.

use crate::metrics::{money_currency, AdlStats, FundingStats, LiquidationStats, TradingStats};
use crate::record::TimedOutput;
use cascade_types::{
    AccountId, InstrumentId, InstrumentKind, InstrumentSpec, LiquidationKind, Money, Output, Price,
    Qty, Rounding, Side, Ts,
};
use std::collections::BTreeMap;

/// What `qty` at `price` is worth in the money the run counts in (see
/// [`InstrumentSpec::value`]; an instrument missing from the table counts as linear).
pub(crate) fn value(spec: Option<&InstrumentSpec>, price: Price, qty: Qty) -> Money {
    match spec {
        Some(s) => s.value(price, qty),
        None => price.notional(qty, Rounding::HalfEven),
    }
}

/// True when a fill of `spec` reports its slippage in `currency` (the run's money currency):
/// an inverse perpetual's is in its base coin, anything else's in its quote. A fill in
/// another currency (a USD spot beside a coin-margined perpetual) moves no margin-currency
/// PnL through its slippage and stays in `trading`.
fn counts_in(spec: Option<&InstrumentSpec>, currency: &str) -> bool {
    match spec {
        Some(s) if s.kind == InstrumentKind::InversePerp => s.base == currency,
        Some(s) => s.quote == currency,
        None => true,
    }
}

/// A position replayed with average-cost accounting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Position {
    /// Signed quantity.
    pub(crate) qty: Qty,
    /// Entry notional of the open quantity (non-negative).
    pub(crate) cost: Money,
}

impl Position {
    /// Trades `qty` on `side` at `price`; returns the PnL realised by the part that closed.
    /// Money as [`value`] counts it: on an inverse perpetual a long gains coin when the
    /// price rises, so the closed part's coin value falls — the PnL's sign turns.
    pub(crate) fn trade(
        &mut self,
        side: Side,
        qty: Qty,
        price: Price,
        spec: Option<&InstrumentSpec>,
    ) -> Money {
        let inverse = spec.is_some_and(|s| s.kind == InstrumentKind::InversePerp);
        let signed = if side == Side::Buy { qty } else { -qty };
        let adds = self.qty.is_zero() || (self.qty.is_positive() == signed.is_positive());
        if adds {
            self.qty += signed;
            self.cost += value(spec, price, qty);
            return Money::ZERO;
        }
        let open = self.qty.abs();
        let close = qty.min_of(open);
        let removed = if close == open {
            self.cost
        } else {
            self.cost
                .mul_div(close.raw(), open.raw(), Rounding::HalfEven)
                .expect("cost overflow")
        };
        let exit = value(spec, price, close);
        let realised = if self.qty.is_positive() != inverse {
            exit - removed
        } else {
            removed - exit
        };
        self.cost -= removed;
        self.qty += if side == Side::Buy { close } else { -close };
        let rest = qty - close;
        if rest.is_positive() {
            // Flipped through zero: the rest opens a new position at this price.
            self.qty = if side == Side::Buy { rest } else { -rest };
            self.cost = value(spec, price, rest);
        }
        realised
    }
}

/// The part of the metrics that comes from the strategy's outputs (fills, funding,
/// liquidations, ADL), folded one output at a time in run order — so a run can fold them as
/// they happen and keep only a bounded number in memory ([`crate::RunRecord::fold`]). Folding a
/// record's `outputs` gives the same figures.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputFold {
    instruments: Vec<InstrumentSpec>,
    accounts: Vec<AccountId>,
    currency: String,
    positions: BTreeMap<(AccountId, InstrumentId), Position>,
    /// Outputs folded.
    pub outputs: u64,
    /// The index of the first output earlier than its predecessor, if any.
    pub unsorted_at: Option<u64>,
    last_ts: Option<Ts>,
    /// Fills, fees, slippage, volume.
    pub trading: TradingStats,
    /// The strategy's liquidation steps.
    pub liquidations: LiquidationStats,
    /// ADL closes of the strategy's positions.
    pub adl: AdlStats,
    /// Funding payments.
    pub funding: FundingStats,
}

impl OutputFold {
    /// An empty fold for a run over `instruments` whose strategy owns `accounts`.
    pub fn new(instruments: &[InstrumentSpec], accounts: &[AccountId]) -> OutputFold {
        OutputFold {
            instruments: instruments.to_vec(),
            accounts: accounts.to_vec(),
            currency: money_currency(instruments),
            positions: BTreeMap::new(),
            outputs: 0,
            unsorted_at: None,
            last_ts: None,
            trading: TradingStats::default(),
            liquidations: LiquidationStats::default(),
            adl: AdlStats::default(),
            funding: FundingStats::default(),
        }
    }

    fn owns(&self, a: AccountId) -> bool {
        self.accounts.contains(&a)
    }

    /// Folds the next output (in run order; other accounts' outputs and other kinds are
    /// counted in `outputs` and otherwise ignored).
    pub fn add(&mut self, o: &TimedOutput) {
        if self.unsorted_at.is_none() && self.last_ts.is_some_and(|t| o.ts < t) {
            self.unsorted_at = Some(self.outputs);
        }
        self.last_ts = Some(o.ts);
        self.outputs += 1;
        let instrument = match o.output {
            Output::Fill { instrument, .. }
            | Output::Liquidation { instrument, .. }
            | Output::Adl { instrument, .. } => Some(instrument),
            _ => None,
        };
        let spec = instrument.and_then(|i| self.instruments.get(i.index()));
        match o.output {
            Output::Fill {
                account,
                instrument,
                side,
                qty,
                price,
                fee,
                maker,
                slippage,
                ..
            } if self.owns(account) => {
                self.positions
                    .entry((account, instrument))
                    .or_default()
                    .trade(side, qty, price, spec);
                self.trading.fills += 1;
                self.trading.maker_fills += u64::from(maker);
                self.trading.volume += value(spec, price, qty);
                if counts_in(spec, &self.currency) {
                    self.trading.slippage += slippage;
                }
                if fee.is_negative() {
                    self.trading.rebates -= fee;
                } else {
                    self.trading.fees_paid += fee;
                }
            }
            Output::Funding {
                account, amount, ..
            } if self.owns(account) => {
                self.funding.payments += 1;
                if amount.is_negative() {
                    self.funding.received -= amount;
                } else {
                    self.funding.paid += amount;
                }
            }
            Output::Liquidation {
                account,
                instrument,
                kind,
                side,
                qty,
                price,
                fee,
                ..
            } if self.owns(account) => {
                let pos = self.positions.entry((account, instrument)).or_default();
                self.liquidations.realised += pos.trade(side, qty, price, spec);
                self.liquidations.count += 1;
                match kind {
                    LiquidationKind::Partial => self.liquidations.partial += 1,
                    LiquidationKind::Full => self.liquidations.full += 1,
                    LiquidationKind::Backstop => self.liquidations.backstop += 1,
                    LiquidationKind::Adl => self.liquidations.against_adl += 1,
                }
                self.liquidations.qty += qty;
                self.liquidations.notional += value(spec, price, qty);
                self.liquidations.fees += fee;
            }
            // As the counterparty, the strategy's close is its own `Liquidation` output.
            Output::Adl {
                victim,
                instrument,
                side,
                qty,
                price,
                ..
            } if self.owns(victim) => {
                let pos = self.positions.entry((victim, instrument)).or_default();
                self.adl.realised += pos.trade(side, qty, price, spec);
                self.adl.count += 1;
                self.adl.qty += qty;
                self.adl.notional += value(spec, price, qty);
            }
            _ => {}
        }
    }
}
