//! One owner per broker (wasm32): a Web Lock named after the broker's
//! database, held for as long as the tab keeps the store open.
//!
//! A real RabbitMQ node refuses to start on a data directory another node
//! holds. In the browser every tab of the same origin sees the same
//! IndexedDB databases, so two tabs opening broker `shared` would each write
//! their own idea of its durable state into one database, and each would
//! silently undo the other's commits. The Web Locks API gives the same
//! guarantee a node's lock file gives: an exclusive lock, `warren-<name>`,
//! that the browser releases when the tab closes, reloads or crashes.
//!
//! Three ways to ask for it ([`LockMode`]):
//! - `Try`: take it if it is free, else report who is in the way (the
//!   default: a second tab is refused and says so);
//! - `Wait`: queue behind the owner and take it when it lets go;
//! - `TakeOver`: take it now (`steal`); the owner's lock is revoked, it is
//!   told why ([`StoreLock::lost`]) and stops writing.
//!
//! The lock is one half of the guarantee. The other half is in the database
//! itself: every commit checks, inside its own transaction, that the `meta`
//! record still names this tab (`indexeddb.rs`). IndexedDB runs read-write
//! transactions on the same stores in the order they were created, so a
//! write the old owner started before a take-over lands before the new
//! owner reads the state, and one it starts after is aborted.
//!
//! Where the Web Locks API is missing (a page served over plain HTTP from a
//! non-local address is not a secure context), nothing can keep a second tab
//! out, so the browser store is not used at all: the caller falls back to
//! memory and says why.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(inline_js = r#"
export function locks_supported() {
  return typeof navigator !== 'undefined' && !!navigator.locks
    && typeof navigator.locks.request === 'function';
}

// Resolves to a function that releases the lock, or to null when `mode` is
// "try" and another holder has it. `onLost(reason)` is called once if the
// lock is later taken away (another tab stole it).
export function lock_request(name, mode, onLost) {
  return new Promise((resolve, reject) => {
    let granted = false;
    const options = mode === 'try' ? { ifAvailable: true }
      : mode === 'steal' ? { steal: true } : {};
    navigator.locks.request(name, options, (lock) => {
      if (!lock) { resolve(null); return undefined; }
      granted = true;
      return new Promise((release) => resolve(() => release()));
    }).catch((e) => {
      const reason = (e && e.name) || String(e);
      if (granted) onLost(reason); else reject(new Error(reason));
    });
  });
}
"#)]
extern "C" {
    fn locks_supported() -> bool;
    #[wasm_bindgen(catch)]
    fn lock_request(
        name: &str,
        mode: &str,
        on_lost: &Closure<dyn FnMut(String)>,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// How to ask for a broker's lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockMode {
    /// Take it only if no other tab holds it.
    Try,
    /// Wait until the tab holding it lets go.
    Wait,
    /// Take it from the tab holding it, which stops writing.
    TakeOver,
}

impl LockMode {
    fn js(self) -> &'static str {
        match self {
            LockMode::Try => "try",
            LockMode::Wait => "wait",
            LockMode::TakeOver => "steal",
        }
    }
}

/// Why a lock could not be had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockError {
    /// Another tab or window holds it (`LockMode::Try`).
    Held,
    /// This browser or page has no Web Locks API.
    Unsupported,
    /// The browser refused the request.
    Failed(String),
}

/// The exclusive lock on one broker's database. Dropping it releases it.
pub struct StoreLock {
    release: Option<js_sys::Function>,
    /// Set when another tab took the lock away.
    lost: Rc<RefCell<Option<String>>>,
    /// Keeps the lost-callback alive as long as the lock.
    _on_lost: Closure<dyn FnMut(String)>,
}

/// The lock's name for broker `name`: its database's name.
pub fn lock_name(broker: &str) -> String {
    crate::store::indexeddb::database_name(broker)
}

impl StoreLock {
    /// Asks for broker `broker`'s lock. `on_lost` is called (once) if another
    /// tab takes it over later.
    pub async fn acquire(
        broker: &str,
        mode: LockMode,
        on_lost: impl Fn(String) + 'static,
    ) -> Result<StoreLock, LockError> {
        if !locks_supported() {
            return Err(LockError::Unsupported);
        }
        let lost = Rc::new(RefCell::new(None));
        let callback = Closure::<dyn FnMut(String)>::new({
            let lost = lost.clone();
            let broker = broker.to_string();
            move |why: String| {
                let text = format!(
                    "another tab took over broker '{broker}' ({why}); this tab no longer writes to it — reload to open it again"
                );
                *lost.borrow_mut() = Some(text.clone());
                on_lost(text);
            }
        });
        let promise = lock_request(&lock_name(broker), mode.js(), &callback)
            .map_err(|e| LockError::Failed(format!("{e:?}")))?;
        let granted = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| {
                LockError::Failed(
                    e.dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                        .unwrap_or_else(|| format!("{e:?}")),
                )
            })?;
        if granted.is_null() || granted.is_undefined() {
            return Err(LockError::Held);
        }
        Ok(StoreLock {
            release: granted.dyn_into::<js_sys::Function>().ok(),
            lost,
            _on_lost: callback,
        })
    }

    /// Why the lock was taken away, if it was.
    pub fn lost(&self) -> Option<String> {
        self.lost.borrow().clone()
    }
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}
