//! The deterministic exchange model of cascade: venue rules, orders and fills against the
//! recorded book, tiered cross/isolated margin on the mark price, funding, liquidation through
//! an index ordered by liquidation price, insurance funds and auto-deleveraging — for linear
//! (quote-margined) and inverse (coin-margined, e.g. BitMEX XBTUSD) perpetuals and spot.
//!
//! One exchange settles all its perpetuals in one asset ([`Settlement`]): all linear, in the
//! quote currency, or all inverse on one coin, where quantities are contracts and every money
//! figure — wallets, margin, fees, funding, insurance funds, views — is in that coin
//! (`contract`, [`Exchange::settlement`], [`Exchange::is_inverse`]). Spot markets may sit
//! beside either.
//!
//! [`Exchange`] is a pure state machine, `apply(now, input) -> outputs`: recorded market
//! [`Event`](cascade_types::Event)s go to [`Exchange::on_market`], account
//! [`Command`](cascade_types::Command)s to [`Exchange::on_command`], and every consequence is an
//! [`Output`](cascade_types::Output) pushed into a caller-provided `Vec`. No clock, no IO, no
//! threads, no hash maps; money is integer fixed-point and every division states its rounding.
//! [`check_invariants`] audits the whole state (cash, open interest, solvency, index).
//!
//! Where things are (one idea per file):
//!
//! | module | what |
//! |---|---|
//! | [`rules`] | [`VenueRules`], dated presets (Binance USDⓈ-M by date, Bybit, Hyperliquid 2025, BitMEX 2020 with XBTUSD's XBT risk limits), embedded tier tables and [`binance_usdm_tiers`] |
//! | `exchange`, `instrument_config` | the [`Exchange`]: construction, entry points, bars and the mark; [`InstrumentConfig`] and its venue presets |
//! | `pools` | margin pools, liquidation-index keys, trading a position into place, paying pools and funds |
//! | `contract` | contract semantics per instrument (linear or inverse): notionals, realised PnL, rounding sides, and which margin math applies; [`Settlement`] |
//! | `margin` | exact linear margin math: equity, tiered MM, liquidation keys, bankruptcy prices, [`isolated_liquidation_price`] |
//! | [`inverse`] | inverse margin math: the closed forms (pure functions), and the exchange's exact evaluation in coin with liquidation keys and bankruptcy prices found by search |
//! | `book` | the slippage rule of market orders against the recorded book |
//! | `trading` | orders (market, limit, stop-market, stop-limit; GTC/IOC/FOK; reduce-only, post-only), tape matching, margin checks, transfers (coin between futures and spot on an inverse exchange) |
//! | `mark`, `funding` | computed mark price, premium sampling, funding settlement |
//! | `liquidation`, `adl` | the waterfall per venue, the ADL queue |
//! | [`venue`] | [`VenuePreset`]: a venue by name and date, building the exchange for a run's instruments; the inverse deposit rule |
//! | [`funds`] | starting insurance funds per venue preset and contract group, dated and sourced; [`FundSetting`] |
//! | `invariants` | [`check_invariants`] |
//! | `view`, `crowd` | read-only views; the crowd model's hooks (cheap position opening and trades, with or without the taker fee; the impact mark) |
//!
//! Every fill has a counterparty: account 0, [`Exchange::MARKET`], stands for the rest of the
//! market (it is the other side of fills against the recorded book, takes liquidated positions
//! at the book price, and is the last resort of the ADL queue), so long and short open interest
//! are always equal and cash always balances.
//!
//! ```
//! use cascade_exchange::{check_invariants, Exchange, InstrumentConfig, VenueRules};
//! use cascade_types::*;
//!
//! let date = Ts::parse_utc("2024-08-05").unwrap();
//! let btc = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
//! let mut ex = Exchange::new(VenueRules::binance_usdm(date), vec![btc]).unwrap();
//! ex.seed_insurance_fund(0, Money::from_int(1_000_000));
//! let me = ex.open_account(Money::from_int(7_000));
//! let mut out = Vec::new();
//! let i = InstrumentId(0);
//! let at = |s: i64| Ts::parse_utc("2024-08-05T00:00:00Z").unwrap().plus_secs(s);
//! let mark = |p: i64, s: i64| Event { ts: at(s), instrument: i, body: EventBody::MarkPrice(Price::from_int(p)) };
//! let top = BookTop { bid_price: Price::from_int(59_999), bid_qty: Qty::from_int(50),
//!                     ask_price: Price::from_int(60_000), ask_qty: Qty::from_int(50) };
//! ex.on_market(&Event { ts: at(0), instrument: i, body: EventBody::BookTop(top) }, &mut out);
//! ex.on_market(&mark(60_000, 0), &mut out);
//! ex.on_command(at(1), me, &Command::SetMarginMode { instrument: i, mode: MarginMode::Isolated }, &mut out);
//! ex.on_command(at(1), me, &Command::SetLeverage { instrument: i, leverage: 10 }, &mut out);
//! let buy = OrderRequest { client_id: 7, instrument: i, side: Side::Buy, qty: Qty::ONE,
//!     kind: OrderKind::Market, tif: TimeInForce::Ioc, reduce_only: false, post_only: false };
//! ex.on_command(at(1), me, &Command::Place(buy), &mut out);
//! assert!(matches!(out.last(), Some(Output::Fill { maker: false, .. })));
//! // Liquidation price of 1 BTC isolated at 10x: found in the index, not by a scan.
//! let lp = ex.position(me, i).unwrap().liquidation_price.unwrap();
//! assert!(lp > Price::from_int(54_000) && lp < Price::from_int(54_300));
//! let crash = BookTop { bid_price: Price::from_int(53_990), bid_qty: Qty::from_int(50),
//!                       ask_price: Price::from_int(54_000), ask_qty: Qty::from_int(50) };
//! ex.on_market(&Event { ts: at(2), instrument: i, body: EventBody::BookTop(crash) }, &mut out);
//! ex.on_market(&mark(54_000, 2), &mut out);
//! assert!(out.iter().any(|o| matches!(o, Output::Liquidation { .. })));
//! assert_eq!(ex.position_qty(me, i), Qty::ZERO);
//! check_invariants(&ex).unwrap();
//! ```

mod account;
mod accounts_set;
mod adl;
mod book;
mod contract;
mod crowd;
mod dec;
mod error;
mod exchange;
mod funding;
pub mod funds;
mod instrument_config;
mod invariants;
pub mod inverse;
mod key_index;
mod liquidation;
mod margin;
mod mark;
mod market;
mod orders;
mod pools;
pub mod rules;
mod trading;
pub mod venue;
mod view;
pub mod view_into;

pub use contract::Settlement;
pub use crowd::CrowdPosition;
pub use error::{ExchangeError, InvariantViolation};
pub use exchange::{Exchange, Input};
pub use funding::FundingSource;
pub use funds::{FundGroup, FundSetting, FundStats, StartingFund};
pub use instrument_config::InstrumentConfig;
pub use invariants::check_invariants;
pub use margin::{isolated_bankruptcy_price, isolated_liquidation_price, round_to};
pub use market::{LastTrade, MarketState};
pub use rules::tiers::{
    binance_usdm_tier_versions, binance_usdm_tiers, bitmex_2020_xbtusd_tiers,
    bitmex_2020_xbtusd_tiers_xbt, bybit_btcusdt_tiers, hyperliquid_2025_tiers, hyperliquid_mmr,
    TierVersion,
};
pub use rules::{
    AdlGuarantee, AdlPrice, AdlRanking, AdlRules, AdlTrigger, BackstopRatio, CloseStyle, Fees,
    FillRules, FundingCap, FundingPrice, FundingRules, LiquidationRules, MarkMethod, MmBasis,
    NoBookFill, PartialRule, PremiumAverage, QueueRule, VenueRules,
};
pub use venue::{VenueKind, VenuePreset, VENUE_PRESETS};
pub use view::{AccountState, OrderState, PositionBrief, PositionState};
