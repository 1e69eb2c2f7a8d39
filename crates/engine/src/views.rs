//! The strategy's account views: a cache of the exchange's state, **filled only when read**.
//!
//! Copying an account out of the exchange (positions valued at the mark, margin pools,
//! available balance) costs more than handling a market event. The views are read by the
//! strategy (through [`Ctx`](cascade_strategy::Ctx), which the engine builds with a
//! [`ViewSource`]), by the equity samples and by the final state; most callbacks of most
//! strategies never read them. So the engine only *invalidates* them when something they
//! show may have changed, and the first read after that fills them again, in place.
//!
//! What may change a view: an output concerning the strategy's accounts
//! ([`AccountViews::invalidate`]), or a move of a price its positions and orders are valued
//! at ([`AccountViews::check_prices`], see [`Venue::view_prices`]). Everything else in a view
//! changes only through the account's own outputs, so a view that was filled after the last
//! such change is exact, whenever it was filled: a read gives what a fill at that moment
//! would give, and results do not depend on when (or whether) the strategy reads.

use crate::venue::{Venue, ViewScratch};
use cascade_strategy::{AccountSource, AccountView};
use cascade_types::{AccountId, InstrumentId, Price};
use std::sync::{Mutex, OnceLock};

/// The state a fill leaves behind, besides the views themselves.
struct Filled {
    /// The views' buffers while they are not current: refilling reuses them.
    spare: Vec<AccountView>,
    /// The prices the current views were filled at (see [`Venue::view_prices`]).
    watched: Vec<(InstrumentId, Option<Price>)>,
    /// Some account had a position or an open order at the last fill, so prices move it.
    exposed: bool,
    /// The exchange-side buffers of a fill.
    scratch: ViewScratch,
}

/// The strategy's account views, kept by the engine thread.
///
/// The synchronisation types are there because [`AccountSource`] is `Sync` (so that a
/// `Ctx` stays `Send` and `Sync`); only the engine thread ever touches them, so the lock is
/// never contended, and it is taken only to fill.
pub(crate) struct AccountViews {
    ids: Vec<AccountId>,
    /// The views, when current.
    current: OnceLock<Vec<AccountView>>,
    filled: Mutex<Filled>,
}

impl AccountViews {
    /// Views of `ids` over `instruments` instruments, not filled yet.
    pub(crate) fn new(ids: Vec<AccountId>, instruments: usize) -> AccountViews {
        assert!(
            !ids.is_empty(),
            "a strategy trades through at least one account"
        );
        let spare = ids
            .iter()
            .map(|&id| AccountView::new(id, instruments))
            .collect();
        AccountViews {
            ids,
            current: OnceLock::new(),
            filled: Mutex::new(Filled {
                spare,
                watched: Vec::with_capacity(instruments),
                exposed: false,
                scratch: ViewScratch::default(),
            }),
        }
    }

    /// The accounts' ids, primary first.
    #[inline]
    pub(crate) fn ids(&self) -> &[AccountId] {
        &self.ids
    }

    /// True when `a` is one of the strategy's accounts.
    #[inline]
    pub(crate) fn is_ours(&self, a: AccountId) -> bool {
        self.ids.contains(&a)
    }

    fn filled(&mut self) -> &mut Filled {
        self.filled.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    /// Something the views show may have changed: the next read fills them again.
    #[inline]
    pub(crate) fn invalidate(&mut self) {
        if let Some(views) = self.current.take() {
            self.filled().spare = views;
        }
    }

    /// Invalidates the views when a price they were valued at has moved.
    #[inline]
    pub(crate) fn check_prices(&mut self, venue: &Venue) {
        if self.current.get().is_none() {
            return;
        }
        let f = self.filled();
        if f.exposed && venue.view_prices_changed(&f.watched) {
            self.invalidate();
        }
    }

    /// The views, filled from the exchange if they are not current.
    #[inline]
    pub(crate) fn get(&self, venue: &Venue) -> &[AccountView] {
        self.current.get_or_init(|| self.fill(venue))
    }

    /// Fills the spare views from the exchange, and records what they depend on.
    #[cold]
    #[inline(never)]
    fn fill(&self, venue: &Venue) -> Vec<AccountView> {
        let mut guard = self.filled.lock().unwrap_or_else(|e| e.into_inner());
        let f = &mut *guard;
        let mut views = std::mem::take(&mut f.spare);
        debug_assert_eq!(views.len(), self.ids.len());
        let mut exposed = false;
        for v in &mut views {
            venue.fill_view(v, &mut f.scratch);
            exposed |= !v.orders.is_empty() || v.positions.iter().any(|p| !p.is_flat());
        }
        f.exposed = exposed;
        venue.view_prices(&views, &mut f.watched);
        views
    }
}

/// What a strategy callback's context reads its accounts from.
pub(crate) struct ViewSource<'a> {
    views: &'a AccountViews,
    venue: &'a Venue,
}

impl<'a> ViewSource<'a> {
    #[inline]
    pub(crate) fn new(views: &'a AccountViews, venue: &'a Venue) -> ViewSource<'a> {
        ViewSource { views, venue }
    }
}

impl AccountSource for ViewSource<'_> {
    #[inline]
    fn ids(&self) -> &[AccountId] {
        self.views.ids()
    }

    #[inline]
    fn views(&self) -> &[AccountView] {
        self.views.get(self.venue)
    }
}
