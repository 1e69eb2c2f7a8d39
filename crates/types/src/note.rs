//! What a strategy says about its own run: [`Note`]s, asked for once at the end (the strategy
//! API's `Strategy::notes`) and recorded by the engine in the run's manifest and reports, and
//! by the scoring suite in every scorecard.
//!
//! Notes are for what a reader of the numbers must know and cannot see in them: the inputs a
//! strategy lacked and decided without, the state it ended in (a carry left naked-long after
//! its short was deleveraged), a rule it could not apply. They are part of the run's result:
//! a strategy must derive them from its inputs only, so that the same run gives the same
//! notes.

use serde::{Deserialize, Serialize};

/// One thing a strategy says about its run: a short topic (`lacked`, `state`, `adl`, …) and
/// one line of text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Note {
    /// A short key, lower case (`lacked`, `state`).
    pub topic: String,
    /// What the strategy says, one line.
    pub text: String,
}

impl Note {
    /// A note on `topic`.
    ///
    /// ```
    /// let n = cascade_types::Note::new("lacked", "spot flow (12/12 evaluations)");
    /// assert_eq!(n.to_string(), "lacked: spot flow (12/12 evaluations)");
    /// ```
    pub fn new(topic: impl Into<String>, text: impl Into<String>) -> Note {
        Note {
            topic: topic.into(),
            text: text.into(),
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.topic, self.text)
    }
}

impl Note {
    /// One note per item on `topic`, at most `max` of them, then one saying how many more
    /// there were: for lists (regime changes, trades) that can grow with the run.
    ///
    /// ```
    /// use cascade_types::Note;
    /// let n = Note::capped("trade", (1..=5).map(|i| format!("#{i}")), 3);
    /// let text: Vec<String> = n.iter().map(|n| n.to_string()).collect();
    /// assert_eq!(text, ["trade: #1", "trade: #2", "trade: #3", "trade: … and 2 more"]);
    /// ```
    pub fn capped(topic: &str, items: impl IntoIterator<Item = String>, max: usize) -> Vec<Note> {
        let mut out = Vec::new();
        let mut more = 0usize;
        for item in items {
            if out.len() < max {
                out.push(Note::new(topic, item));
            } else {
                more += 1;
            }
        }
        if more > 0 {
            out.push(Note::new(topic, format!("… and {more} more")));
        }
        out
    }
}
