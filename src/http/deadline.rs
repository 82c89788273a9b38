//! The request timeout (`request_timeout_secs`): `408 Request Timeout` when a handler has
//! not answered in time.
//!
//! Unlike tower-http's `TimeoutLayer`, which arms a tokio timer for every request before
//! the handler runs, the timer here is armed only when the handler first has to wait (a
//! database query, a body still arriving, a lock). A request answered in its first poll,
//! as most device polls are (from memory, issue 12), reads no clock and registers and
//! cancels no timer. The deadline therefore counts from that first wait, microseconds after
//! the handler started; hyper's `header_read_timeout` bounds the time before it (server.rs).

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll, ready},
    time::Duration,
};

use axum::http::{Request, Response, StatusCode};
use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tower::{Layer, Service};

#[derive(Debug, Clone, Copy)]
pub struct DeadlineLayer {
    timeout: Duration,
}

impl DeadlineLayer {
    pub fn new(timeout: Duration) -> DeadlineLayer {
        DeadlineLayer { timeout }
    }
}

impl<S> Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Deadline<S> {
        Deadline {
            inner,
            timeout: self.timeout,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Deadline<S> {
    inner: S,
    timeout: Duration,
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for Deadline<S>
where
    S: Service<Request<ReqB>, Response = Response<ResB>>,
    ResB: Default,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqB>) -> Self::Future {
        ResponseFuture {
            inner: self.inner.call(request),
            sleep: None,
            timeout: self.timeout,
        }
    }
}

pin_project! {
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        // Armed at the first `Pending` of `inner`.
        #[pin]
        sleep: Option<Sleep>,
        timeout: Duration,
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Poll::Ready(answer) = this.inner.poll(cx) {
            return Poll::Ready(answer);
        }
        if this.sleep.is_none() {
            this.sleep.set(Some(tokio::time::sleep(*this.timeout)));
        }
        if let Some(sleep) = this.sleep.as_pin_mut() {
            ready!(sleep.poll(cx));
        }
        let mut response = Response::new(B::default());
        *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use tower::{ServiceExt, service_fn};

    fn answer_after(
        wait: Duration,
    ) -> impl Service<
        Request<()>,
        Response = Response<String>,
        Error = Infallible,
        Future: Send + 'static,
    > + Clone {
        service_fn(move |_: Request<()>| async move {
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            Ok::<_, Infallible>(Response::new("done".to_string()))
        })
    }

    #[tokio::test]
    async fn a_slow_handler_gets_408_and_a_quick_one_its_answer() {
        let layer = DeadlineLayer::new(Duration::from_millis(300));
        let quick = layer.layer(answer_after(Duration::ZERO));
        let response = quick.oneshot(Request::new(())).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body(), "done");

        // Waiting, but within the deadline.
        let waits = layer.layer(answer_after(Duration::from_millis(20)));
        let response = waits.oneshot(Request::new(())).await.unwrap();
        assert_eq!(response.body(), "done");

        let started = std::time::Instant::now();
        let slow = layer.layer(answer_after(Duration::from_secs(30)));
        let response = slow.oneshot(Request::new(())).await.unwrap();
        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(response.body(), "");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
