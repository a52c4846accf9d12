//! The focus ring every screen shares: which field or button keys go to, moved with
//! Tab/Shift-Tab round the screen's current order, and put back on the first one
//! when the screen is shown again.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FocusRing<F> {
    current: F,
    first: F,
}

impl<F: Copy + PartialEq> FocusRing<F> {
    /// Starting on `first`, where `reset` puts it back.
    pub fn new(first: F) -> Self {
        FocusRing {
            current: first,
            first,
        }
    }

    pub fn get(&self) -> F {
        self.current
    }

    pub fn is(&self, f: F) -> bool {
        self.current == f
    }

    pub fn set(&mut self, f: F) {
        self.current = f;
    }

    pub fn reset(&mut self) {
        self.current = self.first;
    }

    /// One step round `order` (which may change as the screen does: a box that
    /// appears, a list that grows); from outside it, to its first element.
    pub fn step(&mut self, order: &[F], by: isize) {
        let Some(i) = order.iter().position(|f| *f == self.current) else {
            if let Some(f) = order.first() {
                self.current = *f;
            }
            return;
        };
        let n = order.len() as isize;
        self.current = order[(i as isize + by).rem_euclid(n) as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::FocusRing;

    #[test]
    fn steps_round_and_resets_to_the_first() {
        let mut r = FocusRing::new('a');
        r.step(&['a', 'b', 'c'], 1);
        r.step(&['a', 'b', 'c'], 1);
        assert_eq!(r.get(), 'c');
        r.step(&['a', 'b', 'c'], 1);
        assert_eq!(r.get(), 'a');
        r.step(&['a', 'b', 'c'], -1);
        assert_eq!(r.get(), 'c');
        // 'c' gone from the order: the next step starts at its first.
        r.step(&['a', 'b'], 1);
        assert_eq!(r.get(), 'a');
        r.set('b');
        r.reset();
        assert!(r.is('a'));
    }
}
