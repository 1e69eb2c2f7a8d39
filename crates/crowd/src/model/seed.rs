//! Starting books: explicit seed positions ([`Crowd::seed_book`]) and a uniform spread of
//! entries around the price ([`Crowd::seed_spread`]).

use super::*;

impl Crowd {
    /// Seeds explicit positions (a scenario's starting book), in the configured margin mode,
    /// without fees. Each is checked like an order; a refusal is an error naming the position.
    pub fn seed_book(
        &mut self,
        ex: &mut Exchange,
        positions: &[SeedPosition],
        out: &mut Vec<Output>,
    ) -> Result<(), CrowdError> {
        let from = out.len();
        for (k, p) in positions.iter().enumerate() {
            if let Some(price) = ex.mark_price(self.cfg.instrument).or(Some(p.entry)) {
                self.heatmap.fix_width(price, self.tick);
            }
            let cp = CrowdPosition {
                instrument: self.cfg.instrument,
                qty: p.qty,
                entry: p.entry,
                leverage: p.leverage,
                mode: self.cfg.margin_mode,
                deposit: p.deposit,
            };
            let a = ex
                .open_crowd_position(&cp, out)
                .map_err(|r| CrowdError::Seed(format!("position {k}: refused ({r:?})")))?;
            self.add_slot(ex, a);
            self.record.stats.opened += 1;
            self.record.stats.opened_qty += p.qty.abs();
        }
        let ts = ex.now();
        self.observe_from(ex, ts, 0, out, from);
        Ok(())
    }

    /// Seeds a starting book drawn from the configured distributions: the crowd's share of
    /// `open_interest`, split by the long/short ratio, entries spread within
    /// ±`initial_spread_bps` of `price` (survivors only, see the module docs), no fees. For
    /// logs without open interest; a later recorded observation is followed from there.
    pub fn seed_spread(
        &mut self,
        ex: &mut Exchange,
        open_interest: Qty,
        price: Price,
        out: &mut Vec<Output>,
    ) -> Result<(), CrowdError> {
        if !price.is_positive() {
            return Err(CrowdError::Seed(
                "the reference price must be positive".into(),
            ));
        }
        self.heatmap.fix_width(price, self.tick);
        let share = rate_of(self.cfg.oi_share);
        let t = floor_lot(
            open_interest.raw() as i128 * share.raw() as i128 / SCALE as i128,
            self.lot.raw(),
        );
        let (long_t, short_t) = self.targets(t);
        let from = out.len();
        let spread = self.cfg.initial_spread_bps;
        self.open_side(ex, true, long_t, price, spread, false, out);
        self.open_side(ex, false, short_t, price, spread, false, out);
        let ts = ex.now();
        self.observe_from(ex, ts, 0, out, from);
        Ok(())
    }
}
