//! Step 3's toy: IVF and HNSW on a few hundred 2-D points, the query dragged
//! with the mouse and nprobe moved by hand ([`state`] is kept in the URL,
//! [`geometry`] lays out what [`view`] draws).

pub mod geometry;
pub mod state;
pub mod view;
