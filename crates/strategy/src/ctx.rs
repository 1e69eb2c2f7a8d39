//! The context passed to every callback: the time, a read-only view of the market and of the
//! strategy's accounts, and a command buffer the engine drains after the callback.

use crate::account::{AccountView, PositionView};
use crate::market::{InstrumentState, MarketView};
use cascade_types::{
    AccountId, Command, InstrumentId, MarginMode, Money, OrderId, OrderRequest, Ts, Wallet,
};

/// Where a [`Ctx`] built with [`Ctx::with_source`] finds the strategy's account views: the
/// engine's way of filling them **only when a callback reads them**.
///
/// Copying an account out of the exchange model costs more than handling a market event,
/// and most callbacks of most strategies never look at the account; so the engine hands the
/// context a source instead of filled views, and the first call of [`Ctx::accounts`] (or
/// [`Ctx::account`], [`Ctx::position`]) in a callback fills them. What a strategy reads is
/// the same either way: the views as of the moment of the callback.
///
/// `Sync`, so that a context stays `Send` and `Sync` as it was when it only held views.
pub trait AccountSource: Sync {
    /// The accounts' ids, primary first, in the order of [`AccountSource::views`]. Cheap:
    /// never fills the views (placing an order needs only the id).
    fn ids(&self) -> &[AccountId];
    /// The views, up to date; filled on the first call in a callback.
    fn views(&self) -> &[AccountView];
}

/// The accounts a context shows: filled views, or a source that fills them when read.
#[derive(Clone, Copy)]
enum Accounts<'a> {
    Views(&'a [AccountView]),
    Source(&'a dyn AccountSource),
}

/// Client ids the context assigns to orders placed with `client_id == 0` start here, far
/// above any id a strategy would pick by hand, so the two never collide.
pub const AUTO_CLIENT_ID_BASE: u64 = 1 << 62;

/// A command for one of the strategy's accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountCommand {
    /// The account the command is for.
    pub account: AccountId,
    /// The command.
    pub command: Command,
}

/// A request to call [`Strategy::on_timer`](crate::Strategy::on_timer) with `id` at the first
/// moment of simulated time at or after `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerRequest {
    /// When to fire.
    pub at: Ts,
    /// The strategy's id for the timer, passed back to `on_timer`.
    pub id: u64,
}

/// Where a strategy's commands and timer requests collect until the engine drains them.
///
/// The engine owns one buffer per strategy and reuses it for the whole run: draining keeps
/// the capacity, so issuing commands does not allocate in steady state.
#[derive(Clone, Debug)]
pub struct CommandBuffer {
    commands: Vec<AccountCommand>,
    timers: Vec<TimerRequest>,
    next_client_id: u64,
}

impl Default for CommandBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl CommandBuffer {
    /// An empty buffer with room for a few commands.
    pub fn new() -> Self {
        Self::with_capacity(64)
    }

    /// An empty buffer with room for `n` commands and `n` timers.
    pub fn with_capacity(n: usize) -> Self {
        CommandBuffer {
            commands: Vec::with_capacity(n),
            timers: Vec::with_capacity(n),
            next_client_id: AUTO_CLIENT_ID_BASE,
        }
    }

    /// The commands issued since the last drain, in issue order.
    pub fn commands(&self) -> &[AccountCommand] {
        &self.commands
    }

    /// The timer requests issued since the last drain, in issue order.
    pub fn timers(&self) -> &[TimerRequest] {
        &self.timers
    }

    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty() && self.timers.is_empty()
    }

    /// Takes the commands out in issue order, keeping the buffer's capacity.
    pub fn drain_commands(&mut self) -> std::vec::Drain<'_, AccountCommand> {
        self.commands.drain(..)
    }

    /// Takes the timer requests out in issue order, keeping the buffer's capacity.
    pub fn drain_timers(&mut self) -> std::vec::Drain<'_, TimerRequest> {
        self.timers.drain(..)
    }

    /// Drops everything waiting.
    pub fn clear(&mut self) {
        self.commands.clear();
        self.timers.clear();
    }

    fn push(&mut self, account: AccountId, command: Command) {
        self.commands.push(AccountCommand { account, command });
    }
}

/// What a callback sees and can do: the simulated time, the market, the strategy's accounts,
/// and commands.
///
/// Commands are not executed during the callback: they are collected and, after it returns,
/// scheduled by the engine (after the configured order-entry latency) in the order issued.
/// Their results come back as outputs ([`Strategy::on_output`](crate::Strategy::on_output)).
///
/// The first account in [`Ctx::accounts`] is the *primary* account: the one
/// [`Ctx::place`] and the other shorthands act on.
pub struct Ctx<'a> {
    now: Ts,
    market: &'a MarketView,
    accounts: Accounts<'a>,
    out: &'a mut CommandBuffer,
}

impl<'a> Ctx<'a> {
    /// A context at simulated time `now` (built by the engine, or by a test harness). Panics
    /// when `accounts` is empty: every strategy trades through at least one account.
    #[inline]
    pub fn new(
        now: Ts,
        market: &'a MarketView,
        accounts: &'a [AccountView],
        out: &'a mut CommandBuffer,
    ) -> Self {
        assert!(
            !accounts.is_empty(),
            "a strategy needs at least one account"
        );
        Ctx {
            now,
            market,
            accounts: Accounts::Views(accounts),
            out,
        }
    }

    /// A context whose account views come from `source`, filled when first read (see
    /// [`AccountSource`]). Panics when the source has no account.
    #[inline]
    pub fn with_source(
        now: Ts,
        market: &'a MarketView,
        source: &'a dyn AccountSource,
        out: &'a mut CommandBuffer,
    ) -> Self {
        assert!(
            !source.ids().is_empty(),
            "a strategy needs at least one account"
        );
        Ctx {
            now,
            market,
            accounts: Accounts::Source(source),
            out,
        }
    }

    /// The primary account's id (without filling the views).
    #[inline]
    fn primary(&self) -> AccountId {
        match self.accounts {
            Accounts::Views(v) => v[0].id,
            Accounts::Source(s) => s.ids()[0],
        }
    }

    /// True when `account` is one of the strategy's (without filling the views).
    #[inline]
    fn is_ours(&self, account: AccountId) -> bool {
        match self.accounts {
            Accounts::Views(v) => v.iter().any(|a| a.id == account),
            Accounts::Source(s) => s.ids().contains(&account),
        }
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> Ts {
        self.now
    }

    /// The market view.
    #[inline]
    pub fn market(&self) -> &'a MarketView {
        self.market
    }

    /// One instrument's state. Panics when the id is out of range.
    #[inline]
    pub fn instrument(&self, id: InstrumentId) -> &'a InstrumentState {
        &self.market[id]
    }

    /// All of the strategy's accounts; the first is the primary one.
    #[inline]
    pub fn accounts(&self) -> &'a [AccountView] {
        match self.accounts {
            Accounts::Views(v) => v,
            Accounts::Source(s) => s.views(),
        }
    }

    /// The primary account.
    #[inline]
    pub fn account(&self) -> &'a AccountView {
        &self.accounts()[0]
    }

    /// The primary account's position on an instrument.
    #[inline]
    pub fn position(&self, instrument: InstrumentId) -> &'a PositionView {
        self.accounts()[0].position(instrument)
    }

    /// Places an order from the primary account. When `order.client_id` is 0 a fresh id
    /// (from [`AUTO_CLIENT_ID_BASE`] up) is assigned. Returns the client id used.
    pub fn place(&mut self, order: OrderRequest) -> u64 {
        let account = self.primary();
        self.place_for(account, order)
    }

    /// Places an order from one of the strategy's accounts. Returns the client id used.
    pub fn place_for(&mut self, account: AccountId, mut order: OrderRequest) -> u64 {
        if order.client_id == 0 {
            order.client_id = self.out.next_client_id;
            self.out.next_client_id += 1;
        }
        self.command_for(account, Command::Place(order));
        order.client_id
    }

    /// Cancels an open order of the primary account.
    pub fn cancel(&mut self, order_id: OrderId) {
        self.command(Command::Cancel { order_id });
    }

    /// Cancels every open order of the primary account on an instrument.
    pub fn cancel_all(&mut self, instrument: InstrumentId) {
        self.command(Command::CancelAll { instrument });
    }

    /// Sets the primary account's leverage on an instrument.
    pub fn set_leverage(&mut self, instrument: InstrumentId, leverage: u32) {
        self.command(Command::SetLeverage {
            instrument,
            leverage,
        });
    }

    /// Sets the primary account's margin mode on an instrument.
    pub fn set_margin_mode(&mut self, instrument: InstrumentId, mode: MarginMode) {
        self.command(Command::SetMarginMode { instrument, mode });
    }

    /// Moves quote currency between the primary account's wallets.
    pub fn transfer(&mut self, from: Wallet, to: Wallet, amount: Money) {
        self.command(Command::Transfer { from, to, amount });
    }

    /// Issues any command for the primary account.
    pub fn command(&mut self, command: Command) {
        let account = self.primary();
        self.command_for(account, command);
    }

    /// Issues any command for one of the strategy's accounts. Panics when `account` is not
    /// one of them (a strategy may only command its own accounts).
    pub fn command_for(&mut self, account: AccountId, command: Command) {
        assert!(
            self.is_ours(account),
            "{account} is not one of the strategy's accounts"
        );
        self.out.push(account, command);
    }

    /// Asks for [`Strategy::on_timer`](crate::Strategy::on_timer) with `id` at the first
    /// moment at or after `at` (a time in the past fires at the next opportunity). Timers
    /// due at the same time fire in the order they were set.
    pub fn set_timer(&mut self, at: Ts, id: u64) {
        self.out.timers.push(TimerRequest { at, id });
    }
}
