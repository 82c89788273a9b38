//! `GET /device/qr/{USER-CODE}.png|.svg`: a QR code of `verification_uri_complete`.
//! The code is not looked up: the image holds nothing beyond the URL, and the endpoint
//! stays cheap for kiosks that refresh it.

use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use qrcode::{EcLevel, QrCode, render::svg};

use crate::{
    oauth::device::verification_uri_complete, oauth::user_code::UserCode, state::AppState,
};

/// Pixels per QR module in the PNG, and the quiet zone in modules (ISO 18004 asks for 4).
const SCALE: usize = 8;
const QUIET: usize = 4;

pub fn routes() -> Router<AppState> {
    Router::new().route("/device/qr/{file}", get(qr_image))
}

async fn qr_image(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let (code, ext) = file.rsplit_once('.').unwrap_or((&file, ""));
    let Some(code) = UserCode::parse(code) else {
        return (StatusCode::NOT_FOUND, "No such code.").into_response();
    };
    let url = verification_uri_complete(&state.config, &code);
    let image = match ext {
        "png" => qr_png(&url).map(|png| ("image/png", png)),
        "svg" => qr_svg(&url).map(|svg| ("image/svg+xml", svg.into_bytes())),
        _ => return (StatusCode::NOT_FOUND, "Ask for .png or .svg.").into_response(),
    };
    match image {
        Some((content_type, body)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Could not draw the QR code.",
        )
            .into_response(),
    }
}

fn encode(data: &str) -> Option<QrCode> {
    QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()
}

/// An SVG QR code of `data`.
pub fn qr_svg(data: &str) -> Option<String> {
    let code = encode(data)?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(256, 256)
            .quiet_zone(true)
            .build(),
    )
}

/// A PNG QR code of `data`: 1-bit grayscale, black modules on white.
pub fn qr_png(data: &str) -> Option<Vec<u8>> {
    let code = encode(data)?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let row_bytes = side.div_ceil(8);
    let mut pixels = vec![0xFFu8; row_bytes * side];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (
                (x / SCALE).wrapping_sub(QUIET),
                (y / SCALE).wrapping_sub(QUIET),
            );
            let dark =
                mx < modules && my < modules && colors[my * modules + mx] == qrcode::Color::Dark;
            if dark {
                pixels[y * row_bytes + x / 8] &= !(0x80 >> (x % 8));
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&pixels).ok()?;
    writer.finish().ok()?;
    Some(out)
}
