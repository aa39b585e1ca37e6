// SVG to PNG through librsvg and cairo: the only file that includes their headers. librsvg
// renders the chart the SVG writer made, so the PNG and the SVG are one drawing.
#include <cairo.h>
#include <librsvg/rsvg.h>

#include <cmath>
#include <memory>
#include <string>

#include "plot/chart.hpp"

namespace privflow::plot {
namespace {

cairo_status_t append_png(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

struct GObjectFree {
  void operator()(RsvgHandle* h) const { g_object_unref(h); }
};

}  // namespace

bool render_png(const std::string& svg, double scale, std::string& png, std::string& error) {
  const auto size = svg_size(svg);
  if (!size || !(scale > 0) || size->first * scale > 16384 || size->second * scale > 16384) {
    error = "the chart has no usable size to render";
    return false;
  }
  GError* gerror = nullptr;
  std::unique_ptr<RsvgHandle, GObjectFree> handle(
      rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()), svg.size(), &gerror));
  if (!handle) {
    error = std::string("librsvg cannot read the chart: ") + (gerror ? gerror->message : "unknown error");
    if (gerror) g_error_free(gerror);
    return false;
  }
  const int w = static_cast<int>(std::lround(size->first * scale));
  const int h = static_cast<int>(std::lround(size->second * scale));
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h), &cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), &cairo_destroy);
  const RsvgRectangle viewport{0, 0, static_cast<double>(w), static_cast<double>(h)};
  if (!rsvg_handle_render_document(handle.get(), cr.get(), &viewport, &gerror)) {
    error = std::string("librsvg cannot draw the chart: ") + (gerror ? gerror->message : "unknown error");
    if (gerror) g_error_free(gerror);
    return false;
  }
  cairo_surface_flush(surface.get());
  png.clear();
  if (cairo_surface_write_to_png_stream(surface.get(), append_png, &png) != CAIRO_STATUS_SUCCESS) {
    error = "cairo cannot encode the PNG";
    return false;
  }
  return true;
}

}  // namespace privflow::plot
