//! A fixed set of worker threads fed through a bounded queue: the server's thread count never
//! grows with the number of clients, and no thread is started after `start`.

use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

pub struct Pool<T> {
    queue: SyncSender<T>,
}

impl<T: Send + 'static> Pool<T> {
    /// Starts `workers` threads running `handle` on each submitted job; fails (instead of
    /// panicking) when a thread cannot be created.
    pub fn start(workers: usize, queue: usize, handle: impl Fn(T) + Send + Sync + 'static) -> io::Result<Pool<T>> {
        let (tx, rx) = sync_channel::<T>(queue);
        let rx = Arc::new(Mutex::new(rx));
        let handle = Arc::new(handle);
        for i in 0..workers {
            let rx = Arc::clone(&rx);
            let handle = Arc::clone(&handle);
            std::thread::Builder::new().name(format!("serve-worker-{i}")).spawn(move || work(&rx, &*handle))?;
        }
        Ok(Pool { queue: tx })
    }

    /// Queues a job, or gives it back when every worker is busy and the queue is full.
    pub fn try_submit(&self, job: T) -> Result<(), T> {
        self.queue.try_send(job).map_err(|e| match e {
            TrySendError::Full(job) | TrySendError::Disconnected(job) => job,
        })
    }
}

fn work<T>(rx: &Mutex<Receiver<T>>, handle: &(impl Fn(T) + ?Sized)) {
    loop {
        // The lock is held only while waiting for the next job; nothing can panic under it.
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(job) = job else { return }; // the server is gone
                                           // A bug in answering one request must not shrink the pool.
        let _ = catch_unwind(AssertUnwindSafe(|| handle(job)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    #[test]
    fn bounded_queue_gives_jobs_back_and_panics_do_not_kill_workers() {
        let (done_tx, done_rx) = channel();
        let (gate_tx, gate_rx) = channel::<()>();
        let gate = Mutex::new(gate_rx);
        let done = Mutex::new(done_tx);
        let pool = Pool::start(1, 1, move |n: u32| {
            if n == 0 {
                let _ = gate.lock().unwrap().recv(); // hold the only worker
            }
            if n == 7 {
                panic!("job 7 fails");
            }
            done.lock().unwrap().send(n).unwrap();
        })
        .unwrap();
        pool.try_submit(0).unwrap();
        // The worker takes job 0 and blocks; one job fits in the queue, the next is refused.
        submit_soon(&pool, 1);
        assert_eq!(pool.try_submit(2), Err(2));
        gate_tx.send(()).unwrap();
        assert_eq!(done_rx.recv_timeout(Duration::from_secs(5)), Ok(0));
        assert_eq!(done_rx.recv_timeout(Duration::from_secs(5)), Ok(1));
        submit_soon(&pool, 7);
        submit_soon(&pool, 8);
        assert_eq!(done_rx.recv_timeout(Duration::from_secs(5)), Ok(8));
    }

    /// Submits once the queue has room (the worker takes jobs out asynchronously).
    fn submit_soon(pool: &Pool<u32>, mut job: u32) {
        for _ in 0..500 {
            match pool.try_submit(job) {
                Ok(()) => return,
                Err(j) => job = j,
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("job {job} never fit in the queue");
    }
}
