//! Where large, long-lived arrays that are read at random (the vectors a graph
//! walks, the vectors an index is built from) should live.
//!
//! An HNSW search or build reads a few dozen rows scattered over the whole
//! array for every node it expands; with 4 KiB pages nearly every such row is
//! also a TLB miss (20,000 × 1536 floats span 30,000 pages, far beyond the
//! TLB). On Linux, [`advise_huge_pages`] asks for 2 MiB pages instead
//! (`madvise(MADV_HUGEPAGE)`) and has the kernel move the array onto them now
//! (`MADV_COLLAPSE`, Linux 6.1+), rather than whenever its background thread
//! gets to it. Elsewhere (and in the browser) it does nothing.
//!
//! It is only a hint: the contents do not change, and any failure (an old
//! kernel, transparent huge pages off, no free huge page) leaves the array as
//! it was.

/// Huge pages for the whole 2 MiB pages inside `data` (the edges stay as they
/// are). Worth it for arrays of several MiB that live as long as an index.
pub fn advise_huge_pages<T>(data: &[T]) {
    #[cfg(target_os = "linux")]
    linux::advise(data.as_ptr() as usize, std::mem::size_of_val(data));
    #[cfg(not(target_os = "linux"))]
    let _ = data;
}

#[cfg(target_os = "linux")]
mod linux {
    /// The x86-64 and aarch64 (4 KiB base pages) transparent huge page.
    const HUGE_PAGE: usize = 2 << 20;
    /// `MADV_COLLAPSE` (Linux 6.1): not in every libc flavour's constants.
    const MADV_COLLAPSE: libc::c_int = 25;

    pub(super) fn advise(start: usize, len: usize) {
        let begin = start.next_multiple_of(HUGE_PAGE);
        let end = (start + len) / HUGE_PAGE * HUGE_PAGE;
        if end <= begin {
            return;
        }
        let (addr, len) = (begin as *mut libc::c_void, end - begin);
        // SAFETY: [begin, end) lies inside `data`, memory this process has mapped;
        // both advices keep its contents (MADV_COLLAPSE copies them onto the huge
        // page), so every reference into it stays valid. Errors are ignored: the
        // memory stays on small pages.
        unsafe {
            if libc::madvise(addr, len, libc::MADV_HUGEPAGE) == 0 {
                libc::madvise(addr, len, MADV_COLLAPSE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_contents() {
        let data: Vec<f32> = (0..3 << 20).map(|i| i as f32).collect();
        advise_huge_pages(&data);
        assert!(data.iter().enumerate().all(|(i, &x)| x == i as f32));
        advise_huge_pages::<f32>(&[]);
        advise_huge_pages(&data[1..5]);
    }
}
