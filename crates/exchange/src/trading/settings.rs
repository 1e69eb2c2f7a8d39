//! Account settings: leverage and margin mode per instrument, transfers between the spot and
//! futures wallets.

use super::*;

impl Exchange {
    pub(crate) fn set_leverage(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        lev: u32,
        out: &mut Vec<Output>,
    ) {
        let Some(inst) = self.inst.get(i.index()) else {
            return reject(out, a, 0, RejectReason::UnknownInstrument);
        };
        if !inst.is_perp() {
            return reject(out, a, 0, RejectReason::NotSupported);
        }
        if lev == 0 || lev > inst.tiers().tiers()[0].max_leverage {
            return reject(out, a, 0, RejectReason::BadLeverage);
        }
        let acc = &self.accounts[a.index()];
        let mut st = acc.setting(i, self.rules.default_leverage);
        if let Some(p) = acc.position(i) {
            if p.mode == MarginMode::Isolated {
                return reject(out, a, 0, RejectReason::PositionOpen);
            }
            let n =
                inst.contract
                    .value(Price::from_raw(self.mark_raw(p)), p.qty.abs(), Rounding::Up);
            if inst.tiers().max_leverage(n) < lev {
                return reject(out, a, 0, RejectReason::LeverageAboveTierMax);
            }
            let f = self.pool_with(a, Pool::Cross, Some((i, p.terms(), lev)), Money::ZERO);
            if f.equity - f.initial - margin::money_x(acc.reserved) < 0 {
                return reject(out, a, 0, RejectReason::InsufficientMargin);
            }
        }
        st.leverage = lev;
        let acc = &mut self.accounts[a.index()];
        acc.set_setting(st);
        if let Some(k) = acc.position_index(i) {
            acc.positions[k].leverage = lev;
        }
    }

    pub(crate) fn set_margin_mode(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        mode: MarginMode,
        out: &mut Vec<Output>,
    ) {
        let Some(inst) = self.inst.get(i.index()) else {
            return reject(out, a, 0, RejectReason::UnknownInstrument);
        };
        if !inst.is_perp() {
            return reject(out, a, 0, RejectReason::NotSupported);
        }
        let acc = &self.accounts[a.index()];
        let has_orders = acc.orders.iter().any(|id| self.orders[id].instrument == i);
        if acc.position(i).is_some() || has_orders {
            return reject(out, a, 0, RejectReason::PositionOpen);
        }
        let mut st = acc.setting(i, self.rules.default_leverage);
        st.mode = mode;
        self.accounts[a.index()].set_setting(st);
    }

    /// Handles `Command::Transfer` between the spot and futures wallets of one account.
    ///
    /// On a linear exchange it moves quote money between the spot wallet and the futures
    /// wallet. On an inverse exchange the futures wallet holds the settlement coin, so it
    /// moves **coin** between the futures wallet and the account's spot holding of the spot
    /// instrument whose base is that coin (the first such instrument): `amount` is coin, and
    /// without such an instrument the transfer is refused (`NotSupported`). Out of the
    /// futures wallet, never more than is available (equity beyond initial margin and
    /// reservations) nor more than the wallet holds.
    pub(crate) fn transfer(
        &mut self,
        a: AccountId,
        from: Wallet,
        to: Wallet,
        amount: Money,
        out: &mut Vec<Output>,
    ) {
        if !amount.is_positive() {
            return reject(out, a, 0, RejectReason::BadQuantity);
        }
        if from == to {
            return reject(out, a, 0, RejectReason::NotSupported);
        }
        let coin_spot = if self.settlement.is_inverse() {
            match self.coin_spot {
                Some(i) => Some(i),
                None => return reject(out, a, 0, RejectReason::NotSupported),
            }
        } else {
            None
        };
        // Coin and spot holdings share the 10⁻⁸ scale: one coin is one unit of the base.
        let coin = Qty::from_raw(amount.raw());
        let ok = match from {
            Wallet::Spot => match coin_spot {
                Some(i) => self.accounts[a.index()].spot(i) >= coin,
                None => self.accounts[a.index()].spot_quote >= amount,
            },
            Wallet::Futures => {
                self.available(a) >= amount && self.accounts[a.index()].wallet >= amount
            }
        };
        if !ok {
            return reject(out, a, 0, RejectReason::InsufficientMargin);
        }
        let acc = &mut self.accounts[a.index()];
        let into_spot = match from {
            Wallet::Spot => -amount,
            Wallet::Futures => amount,
        };
        acc.wallet -= into_spot;
        match coin_spot {
            Some(i) => {
                acc.add_spot(i, Qty::from_raw(into_spot.raw()));
                self.coin_to_spot += into_spot;
            }
            None => acc.spot_quote += into_spot,
        }
        self.rekey_account(a);
        out.push(Output::Transferred {
            account: a,
            from,
            to,
            amount,
        });
    }
}
