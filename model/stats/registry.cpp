#include <agilemmu/stats/registry.h>

#include <algorithm>

namespace agilemmu::stats {

const char* to_string(Unit u) {
  switch (u) {
    case Unit::Text:
      return "text";
    case Unit::Flag:
      return "bool";
    case Unit::Count:
      return "count";
    case Unit::Cycles:
      return "cycles";
    case Unit::Ns:
      return "ns";
    case Unit::Seconds:
      return "s";
    case Unit::Ratio:
      return "ratio";
    case Unit::PerSecond:
      return "1/s";
    case Unit::Entries:
      return "entries";
    case Unit::Hash:
      return "hex";
  }
  return "?";
}

const char* to_string(Agg a) {
  switch (a) {
    case Agg::None:
      return "none";
    case Agg::Sum:
      return "sum";
    case Agg::Mean:
      return "mean";
    case Agg::Max:
      return "max";
  }
  return "?";
}

Index numbered(std::string label, size_t n, bool open) {
  Index ix{std::move(label), {}, open};
  for (size_t i = 0; i < n; ++i) ix.names.push_back(std::to_string(i));
  return ix;
}

std::vector<Part> split_name(const std::string& dotted) {
  std::vector<Part> out;
  size_t b = 0;
  while (b <= dotted.size()) {
    const size_t e = std::min(dotted.find('.', b), dotted.size());
    if (e > b) out.push_back({dotted.substr(b, e - b), nullptr});
    b = e + 1;
  }
  return out;
}

std::string key_name(const std::vector<Part>& path, const std::vector<size_t>& idx) {
  std::string s;
  size_t k = 0;
  for (const auto& p : path) {
    if (!s.empty()) s += '.';
    s += p.index ? p.index->names[idx[k++]] : p.text;
  }
  return s;
}

namespace {
// Cartesian product over the Index parts; `expand_open` false counts an open Index as one member
// (the listing's <label>).
void product(const std::vector<Part>& path, bool expand_open,
             const std::function<void(const std::vector<size_t>&)>& f) {
  std::vector<size_t> sizes;
  for (const auto& p : path)
    if (p.index) sizes.push_back(expand_open || !p.index->open ? p.index->names.size() : 1);
  std::vector<size_t> idx(sizes.size(), 0);
  for (size_t n : sizes)
    if (n == 0) return;
  while (true) {
    f(idx);
    size_t k = idx.size();
    while (k > 0 && ++idx[k - 1] == sizes[k - 1]) idx[--k] = 0;
    if (k == 0) return;
  }
}

// A path's name for listings: closed members from idx, open indices as <label>, or every index
// as {a,b,...} when idx is null.
std::string shown_name(const std::vector<Part>& path, const std::vector<size_t>* idx) {
  std::string s;
  size_t k = 0;
  for (const auto& p : path) {
    if (!s.empty()) s += '.';
    if (!p.index) {
      s += p.text;
    } else if (p.index->open) {
      s += "<" + p.index->label + ">";
      ++k;
    } else if (idx) {
      s += p.index->names[(*idx)[k++]];
    } else {
      std::string alts;
      for (const auto& n : p.index->names) alts += (alts.empty() ? "" : ",") + n;
      s += "{" + alts + "}";
      ++k;
    }
  }
  return s;
}
}  // namespace

void for_each_index(const std::vector<Part>& path, const std::function<void(const std::vector<size_t>&)>& f) {
  product(path, true, f);
}

std::vector<Listed> list(const std::vector<Shape>& shapes) {
  std::vector<Listed> out;
  for (const auto& s : shapes)
    product(s.path, false, [&](const std::vector<size_t>& idx) {
      out.push_back({shown_name(s.path, &idx), s.unit, s.agg, s.desc, s.when});
    });
  // The order --json and --csv write keys in (nested objects sorted by name, '.' sorting first).
  std::stable_sort(out.begin(), out.end(), [](const Listed& a, const Listed& b) { return a.name < b.name; });
  return out;
}

std::string list_text(const std::vector<Shape>& shapes) {
  const auto rows = list(shapes);
  size_t w = 4;
  for (const auto& r : rows) w = std::max(w, r.name.size());
  auto line = [&](const std::string& n, const std::string& u, const std::string& a, const std::string& d) {
    std::string s = n + std::string(w + 2 - n.size(), ' ') + u;
    s += std::string(s.size() < w + 10 ? w + 10 - s.size() : 1, ' ') + a;
    s += std::string(s.size() < w + 16 ? w + 16 - s.size() : 1, ' ') + d + "\n";
    return s;
  };
  std::string text = line("NAME", "UNIT", "AGG", "DESCRIPTION");
  for (const auto& r : rows)
    text += line(r.name, to_string(r.unit), to_string(r.agg), r.desc + (r.when.empty() ? "" : " (" + r.when + ")"));
  return text;
}

std::string list_markdown(const std::vector<Shape>& shapes) {
  std::string text = "| key | unit | over sweep points | meaning |\n|---|---|---|---|\n";
  for (const auto& s : shapes) {
    std::string cell;  // the description as a table cell: no column breaks, no HTML tags
    for (char c : s.desc + (s.when.empty() ? "" : " (" + s.when + ")"))
      cell += c == '|' ? std::string("\\|") : c == '<' ? "&lt;" : c == '>' ? "&gt;" : std::string(1, c);
    text += "| `" + shown_name(s.path, nullptr) + "` | " + to_string(s.unit) + " | " + to_string(s.agg) + " | " + cell +
            " |\n";
  }
  return text;
}

}  // namespace agilemmu::stats
