// SVG to PNG through librsvg and cairo: the only file that includes their headers. librsvg
// renders the chart the SVG writer made, so the PNG and the SVG are one drawing. librsvg is
// opened at the first PNG (base/shared_library.hpp), not linked: it brings glib, pango, cairo
// and some 40 more libraries, which the commands that draw no PNG need not load.
#include <cairo.h>
#include <librsvg/rsvg.h>

#include <cmath>
#include <memory>
#include <string>

#include "base/shared_library.hpp"
#include "plot/chart.hpp"

namespace privflow::plot {
namespace {

// The entry points this file calls, each with the type its header declares.
struct Rsvg {
  decltype(&rsvg_handle_new_from_data) new_from_data;
  decltype(&rsvg_handle_render_document) render_document;
  decltype(&g_object_unref) unref;
  decltype(&g_error_free) error_free;
  decltype(&cairo_image_surface_create) image_surface_create;
  decltype(&cairo_surface_destroy) surface_destroy;
  decltype(&cairo_create) create;
  decltype(&cairo_destroy) destroy;
  decltype(&cairo_surface_flush) surface_flush;
  decltype(&cairo_surface_write_to_png_stream) write_to_png_stream;
};

// librsvg (PRIVFLOW_RSVG_SONAME, from the library pkg-config names at configure time); glib's
// and cairo's functions are found through it (it depends on both). nullptr, with `error` set,
// when it or a symbol is missing.
const Rsvg* rsvg(std::string& error) {
  static SharedLibrary lib(PRIVFLOW_RSVG_SONAME);
  static const Rsvg api{lib.symbol<decltype(rsvg_handle_new_from_data)>("rsvg_handle_new_from_data"),
                        lib.symbol<decltype(rsvg_handle_render_document)>("rsvg_handle_render_document"),
                        lib.symbol<decltype(g_object_unref)>("g_object_unref"),
                        lib.symbol<decltype(g_error_free)>("g_error_free"),
                        lib.symbol<decltype(cairo_image_surface_create)>("cairo_image_surface_create"),
                        lib.symbol<decltype(cairo_surface_destroy)>("cairo_surface_destroy"),
                        lib.symbol<decltype(cairo_create)>("cairo_create"),
                        lib.symbol<decltype(cairo_destroy)>("cairo_destroy"),
                        lib.symbol<decltype(cairo_surface_flush)>("cairo_surface_flush"),
                        lib.symbol<decltype(cairo_surface_write_to_png_stream)>("cairo_surface_write_to_png_stream")};
  static const bool complete = lib.loaded() && lib.error().empty();
  if (!complete) {
    error = "cannot draw a PNG without librsvg: " + lib.error();
    return nullptr;
  }
  return &api;
}

cairo_status_t append_png(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// A GError's message, freed.
std::string take_message(const Rsvg& api, GError* gerror) {
  if (!gerror) return "unknown error";
  std::string message = gerror->message;
  api.error_free(gerror);
  return message;
}

}  // namespace

bool render_png(const std::string& svg, double scale, std::string& png, std::string& error) {
  const auto size = svg_size(svg);
  if (!size || !(scale > 0) || size->first * scale > 16384 || size->second * scale > 16384) {
    error = "the chart has no usable size to render";
    return false;
  }
  const Rsvg* api = rsvg(error);
  if (!api) return false;
  GError* gerror = nullptr;
  std::unique_ptr<RsvgHandle, decltype(&g_object_unref)> handle(
      api->new_from_data(reinterpret_cast<const guint8*>(svg.data()), svg.size(), &gerror), api->unref);
  if (!handle) {
    error = "librsvg cannot read the chart: " + take_message(*api, gerror);
    return false;
  }
  const int w = static_cast<int>(std::lround(size->first * scale));
  const int h = static_cast<int>(std::lround(size->second * scale));
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      api->image_surface_create(CAIRO_FORMAT_ARGB32, w, h), api->surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(api->create(surface.get()), api->destroy);
  const RsvgRectangle viewport{0, 0, static_cast<double>(w), static_cast<double>(h)};
  if (!api->render_document(handle.get(), cr.get(), &viewport, &gerror)) {
    error = "librsvg cannot draw the chart: " + take_message(*api, gerror);
    return false;
  }
  api->surface_flush(surface.get());
  png.clear();
  if (api->write_to_png_stream(surface.get(), append_png, &png) != CAIRO_STATUS_SUCCESS) {
    error = "cairo cannot encode the PNG";
    return false;
  }
  return true;
}

}  // namespace privflow::plot
