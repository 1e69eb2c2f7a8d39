//! CSV exports: the equity curve and the strategy's fills, funding, liquidations and ADL.
//! Times are RFC 3339 UTC, numbers exact decimals.

use crate::record::{RunRecord, TimedOutput};
use cascade_types::{AccountId, InstrumentId, InstrumentSpec, Money, Output};
use std::fmt::Write;

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `ts,equity,drawdown,gross_exposure,net_exposure`, one row per equity sample; drawdown is
/// the running peak minus equity.
pub fn equity_csv(r: &RunRecord) -> String {
    let mut out = String::from("ts,equity,drawdown,gross_exposure,net_exposure\n");
    let mut peak: Option<Money> = None;
    for s in &r.equity {
        let p = peak.map_or(s.equity, |p| p.max_of(s.equity));
        peak = Some(p);
        writeln!(
            out,
            "{},{},{},{},{}",
            s.ts,
            s.equity,
            p - s.equity,
            s.gross_exposure,
            s.net_exposure
        )
        .expect("writing to a String");
    }
    out
}

/// The header line of `report.fills.csv` (see [`fills_csv`]).
pub const FILLS_CSV_HEADER: &str = "ts,kind,account,symbol,side,qty,price,fee,amount,detail\n";

/// `ts,kind,account,symbol,side,qty,price,fee,amount,detail`: one row per fill, funding
/// payment, liquidation step and ADL close of the strategy's accounts, in run order.
/// `fee` is the trading or liquidation fee; `amount` the funding paid (> 0) or received.
/// A taker fill's `detail` names its reference price and slippage (see `metrics`).
pub fn fills_csv(r: &RunRecord) -> String {
    let mut out = String::from(FILLS_CSV_HEADER);
    for o in &r.outputs {
        fills_csv_row(&mut out, &r.instruments, &r.accounts, o);
    }
    out
}

/// Appends `o`'s row of [`fills_csv`] to `out`, if it has one (an output of one of
/// `accounts`' fills, funding payments, liquidation steps or ADL closes): a run that keeps
/// only some outputs in memory streams the file row by row with this.
pub fn fills_csv_row(
    out: &mut String,
    instruments: &[InstrumentSpec],
    accounts: &[AccountId],
    o: &TimedOutput,
) {
    let owns = |a: AccountId| accounts.contains(&a);
    let symbol = |i: InstrumentId| {
        instruments
            .get(i.index())
            .map_or_else(|| i.to_string(), |s| s.symbol.clone())
    };
    {
        let row = match o.output {
            Output::Fill {
                account,
                instrument,
                order_id,
                side,
                qty,
                price,
                fee,
                maker,
                reference,
                slippage,
                ..
            } if owns(account) => {
                let role = if maker {
                    "maker".to_string()
                } else {
                    format!("taker reference {reference} slippage {slippage}")
                };
                Some((
                    "fill",
                    account,
                    instrument,
                    side.to_string(),
                    qty.to_string(),
                    price.to_string(),
                    fee.to_string(),
                    String::new(),
                    format!("{order_id} {role}"),
                ))
            }
            Output::Funding {
                account,
                instrument,
                rate,
                amount,
                ..
            } if owns(account) => Some((
                "funding",
                account,
                instrument,
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                amount.to_string(),
                format!("rate {rate}"),
            )),
            Output::Liquidation {
                account,
                instrument,
                kind,
                side,
                qty,
                price,
                bankruptcy_price,
                fee,
                ..
            } if owns(account) => Some((
                "liquidation",
                account,
                instrument,
                side.to_string(),
                qty.to_string(),
                price.to_string(),
                fee.to_string(),
                String::new(),
                format!("{kind:?} bankruptcy {bankruptcy_price}").to_lowercase(),
            )),
            Output::Adl {
                victim,
                counterparty,
                instrument,
                side,
                qty,
                price,
                ..
            } if owns(victim) => Some((
                "adl",
                victim,
                instrument,
                side.to_string(),
                qty.to_string(),
                price.to_string(),
                String::new(),
                String::new(),
                format!("against {counterparty}"),
            )),
            _ => None,
        };
        if let Some((kind, account, instrument, side, qty, price, fee, amount, detail)) = row {
            writeln!(
                out,
                "{},{kind},{account},{},{side},{qty},{price},{fee},{amount},{}",
                o.ts,
                field(&symbol(instrument)),
                field(&detail)
            )
            .expect("writing to a String");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(super::field("plain"), "plain");
        assert_eq!(super::field("a,b"), "\"a,b\"");
        assert_eq!(super::field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
