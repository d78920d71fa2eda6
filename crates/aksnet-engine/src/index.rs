//! Typed indices: a vector indexed by its own index type ([`IndexVec`]), so that a VNet index
//! cannot index subnets, nor a subnet index a per-VNet table.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// An index type: a position in one kind of [`IndexVec`].
pub trait Idx: Copy {
    /// The index at position `i`.
    fn new(i: usize) -> Self;
    /// Its position.
    fn index(self) -> usize;
}

/// Declares an index newtype over `u32` (Azure caps VNets and subnets far below `u32::MAX`).
macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl $name {
            /// The index at position `i` (panics past `u32::MAX`, far beyond Azure's limits).
            pub const fn new(i: usize) -> Self {
                assert!(i <= u32::MAX as usize, "index out of range");
                Self(i as u32)
            }

            /// Its position.
            pub const fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl $crate::index::Idx for $name {
            fn new(i: usize) -> Self {
                Self::new(i)
            }
            fn index(self) -> usize {
                self.index()
            }
        }
    };
}
pub(crate) use index_type;

/// A vector indexed by `I` rather than `usize`.
pub struct IndexVec<I, T> {
    raw: Vec<T>,
    _ix: PhantomData<fn(&I)>,
}

impl<I: Idx, T> IndexVec<I, T> {
    /// An empty vector.
    pub fn new() -> Self {
        Self::from(Vec::new())
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Appends an element and returns its index.
    pub fn push(&mut self, value: T) -> I {
        let i = I::new(self.raw.len());
        self.raw.push(value);
        i
    }

    /// The element at `i`, if there is one.
    pub fn get(&self, i: I) -> Option<&T> {
        self.raw.get(i.index())
    }

    /// The elements in index order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.raw.iter()
    }

    /// The elements with their indices, in index order.
    pub fn iter_enumerated(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + '_ {
        self.raw.iter().enumerate().map(|(i, t)| (I::new(i), t))
    }

    /// Every index, in order.
    pub fn indices(&self) -> std::iter::Map<std::ops::Range<usize>, fn(usize) -> I> {
        (0..self.raw.len()).map(I::new)
    }
}

impl<I, T> From<Vec<T>> for IndexVec<I, T> {
    fn from(raw: Vec<T>) -> Self {
        Self {
            raw,
            _ix: PhantomData,
        }
    }
}

impl<I: Idx, T> Default for IndexVec<I, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I, T: Clone> Clone for IndexVec<I, T> {
    fn clone(&self) -> Self {
        Self::from(self.raw.clone())
    }
}

impl<I, T: fmt::Debug> fmt::Debug for IndexVec<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt(f)
    }
}

impl<I: Idx, T> Index<I> for IndexVec<I, T> {
    type Output = T;
    fn index(&self, i: I) -> &T {
        &self.raw[i.index()]
    }
}

impl<I: Idx, T> IndexMut<I> for IndexVec<I, T> {
    fn index_mut(&mut self, i: I) -> &mut T {
        &mut self.raw[i.index()]
    }
}

impl<I, T> FromIterator<T> for IndexVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        Self::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl<'a, I, T> IntoIterator for &'a IndexVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.raw.iter()
    }
}
