/* glassnet explain page: one training step of a dense network, stepped through.
 *
 * The page recomputes the step from the input, target and weights in its own data
 * (the same formulas as glassnet.network, float64), so that a person can edit any of
 * them; tests compare every number with the Python trace to 1e-12.
 * Plain JavaScript and SVG; KaTeX (inlined beside this file) typesets the equations.
 */
(function () {
  "use strict";

  // ---- the math: activations f(z), f'(z) and the losses, as glassnet.activations/losses
  function sigmoid(z) {
    var e = Math.exp(-Math.abs(z));
    return z >= 0 ? 1 / (1 + e) : e / (1 + e);
  }
  function softplus(z) { return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))); }
  var ACT = {
    identity: { f: function (z) { return z; }, d: function () { return 1; } },
    sigmoid: { f: sigmoid, d: function (z, a) { return a * (1 - a); } },
    tanh: { f: Math.tanh, d: function (z, a) { return 1 - a * a; } },
    relu: { f: function (z) { return Math.max(z, 0); }, d: function (z) { return z > 0 ? 1 : 0; } },
    leaky_relu: { f: function (z) { return z >= 0 ? z : 0.01 * z; }, d: function (z) { return z >= 0 ? 1 : 0.01; } },
    elu: { f: function (z) { return z > 0 ? z : Math.expm1(Math.min(z, 0)); }, d: function (z) { return z > 0 ? 1 : Math.exp(Math.min(z, 0)); } },
    softplus: { f: softplus, d: function (z) { return sigmoid(z); } },
  };
  var LATEX = {
    identity: ["z", "1"], sigmoid: ["\\sigma(z)", "a(1-a)"], tanh: ["\\tanh z", "1-a^2"],
    relu: ["\\max(0,z)", "[z>0]"], leaky_relu: ["\\max(0.01z,z)", "1\\text{ or }0.01"],
    elu: ["z\\text{ or }e^z-1", "1\\text{ or }e^z"], softplus: ["\\ln(1+e^z)", "\\sigma(z)"],
    softmax: ["\\frac{e^{z_j}}{\\sum_k e^{z_k}}", "J = \\operatorname{diag}(a)-aa^\\top"],
  };
  // as glassnet.losses: a probability rounded to 0 counts as the smallest normal number,
  // so a certain wrong answer costs about 708, not infinity
  var TINY = 2.2250738585072014e-308;
  function xlogy(x, y) { return x === 0 ? 0 : x * Math.log(Math.max(y, TINY)); }
  function xdivy(x, y) { return x === 0 ? 0 : x / Math.max(y, TINY); }
  var LOSS = {
    half_squared_error: {
      v: function (a, y) { var s = 0; for (var j = 0; j < a.length; j++) s += (a[j] - y[j]) * (a[j] - y[j]); return 0.5 * s; },
      g: function (a, y) { return a.map(function (v, j) { return v - y[j]; }); },
    },
    squared_error: {
      v: function (a, y) { var s = 0; for (var j = 0; j < a.length; j++) s += (a[j] - y[j]) * (a[j] - y[j]); return s; },
      g: function (a, y) { return a.map(function (v, j) { return 2 * (v - y[j]); }); },
    },
    mean_squared_error: {
      v: function (a, y) { var s = 0; for (var j = 0; j < a.length; j++) s += (a[j] - y[j]) * (a[j] - y[j]); return s / a.length; },
      g: function (a, y) { return a.map(function (v, j) { return 2 * (v - y[j]) / a.length; }); },
    },
    binary_cross_entropy: {
      v: function (a, y) { var s = 0; for (var j = 0; j < a.length; j++) s += xlogy(y[j], a[j]) + xlogy(1 - y[j], 1 - a[j]); return -s; },
      g: function (a, y) { return a.map(function (v, j) { return -xdivy(y[j], v) + xdivy(1 - y[j], 1 - v); }); },
    },
    cross_entropy: {
      v: function (a, y) { var s = 0; for (var j = 0; j < a.length; j++) s += xlogy(y[j], a[j]); return -s; },
      g: function (a, y) { return a.map(function (v, j) { return -xdivy(y[j], v); }); },
    },
  };

  // softmax with binary_cross_entropy, as glassnet.losses.softmax_binary_cross_entropy*:
  // where the largest a_d rounds to 1 (1 − a_d < √ε) or an a_j under a target to 0
  // (below the normal numbers), ℓ, ∂ℓ/∂a and δ of the row come from the logits, with
  // ln(1 − a_d) = lse_{k≠d} z − lse z; every other row keeps the a-based numbers
  var ROOT_EPS = Math.sqrt(2.220446049250313e-16);
  function sbce(net) {
    return net.layers[net.layers.length - 1].activation === "softmax" && net.loss === "binary_cross_entropy";
  }
  function sbceSaturated(z, a, y) {
    if (a.length < 2 || !z.every(isFinite)) return false;
    return 1 - Math.max.apply(null, a) < ROOT_EPS || a.some(function (v, j) { return y[j] > 0 && v < TINY; });
  }
  function sbceParts(z) {  // d = argmax z, lse = ln Σ e^z, lseO = ln Σ_{k≠d} e^z
    var d = 0, j, topO = -Infinity, s = 0;
    for (j = 1; j < z.length; j++) if (z[j] > z[d]) d = j;
    for (j = 0; j < z.length; j++) if (j !== d) topO = Math.max(topO, z[j]);
    for (j = 0; j < z.length; j++) if (j !== d) s += Math.exp(z[j] - topO);
    var lseO = topO + Math.log(s);
    return { d: d, lseO: lseO, lse: z[d] + Math.log1p(Math.exp(lseO - z[d])) };
  }
  function sbceValue(z, y) {
    var p = sbceParts(z), s = 0;
    for (var j = 0; j < z.length; j++) {
      // ln a_d = −ln(1 + e^{lseO − z_d}), not z_d − lse, which lse rounded to z_d loses
      var logA = j === p.d ? -Math.log1p(Math.exp(p.lseO - z[j])) : z[j] - p.lse;
      var logC = j === p.d ? p.lseO - p.lse : Math.log1p(-Math.exp(logA));
      s += (y[j] === 0 ? 0 : y[j] * logA) + (y[j] === 1 ? 0 : (1 - y[j]) * logC);
    }
    return -s;
  }
  function sbceGradient(z, a, y) {
    var p = sbceParts(z), cD = Math.exp(p.lseO - p.lse);
    return a.map(function (v, j) {
      return (y[j] === 0 ? 0 : -y[j] / v) + (y[j] === 1 ? 0 : (1 - y[j]) / (j === p.d ? cD : 1 - v));
    });
  }
  function sbceDelta(z, y) {
    var p = sbceParts(z), d = p.d, yTotal = 0, R = 0;
    var a = z.map(function (v) { return Math.exp(v - p.lse); });
    var r = a.map(function (v, j) { return j === d ? 0 : (1 - y[j]) * v / (1 - v); });
    y.forEach(function (v) { yTotal += v; });
    r.forEach(function (v) { R += v; });
    var yD = y[d], aD = a[d], cD = Math.exp(p.lseO - p.lse);
    return a.map(function (v, j) {
      if (j === d) return (yTotal - yD) + (1 - yD) - cD * (yTotal + 1 - yD) - aD * R;
      return -y[j] + v * (yTotal + 1 - y[j]) - v * (R - r[j]) - (1 - yD) * aD * Math.exp(z[j] - p.lseO);
    });
  }

  function softmax(z) {
    var top = Math.max.apply(null, z);
    var e = z.map(function (v) { return Math.exp(v - top); });
    var s = e.reduce(function (p, v) { return p + v; }, 0);
    return e.map(function (v) { return v / s; });
  }
  function forwardRow(x, net) {
    var zs = [], as = [], a = x;
    net.layers.forEach(function (L) {
      var z = [];
      for (var j = 0; j < L.b.length; j++) {
        var s = 0;
        for (var i = 0; i < a.length; i++) s += a[i] * L.W[i][j];
        z.push(s + L.b[j]);
      }
      a = L.activation === "softmax" ? softmax(z) : z.map(ACT[L.activation].f);
      zs.push(z); as.push(a);
    });
    return { z: zs, a: as };
  }
  // ℓ of one example; from the logits on the fused pairs, as glassnet computes it
  function exampleLoss(net, z, a, y) {
    var out = net.layers[net.layers.length - 1].activation;
    if (out === "softmax" && net.loss === "cross_entropy") {
      var top = Math.max.apply(null, z);
      var s = 0;
      z.forEach(function (v) { s += Math.exp(v - top); });
      var lse = Math.log(s), l = 0;
      for (var j = 0; j < z.length; j++) l += y[j] * (z[j] - top - lse);
      return -l;
    }
    if (out === "sigmoid" && net.loss === "binary_cross_entropy") {
      var t = 0;
      // (max(z, 0) − y z) + ln(1 + e^−|z|): the first part is exactly 0 for a confident
      // right answer, so its small loss is kept, as the engine keeps it
      for (var k = 0; k < z.length; k++) {
        t += (Math.max(z[k], 0) - y[k] * z[k]) + Math.log1p(Math.exp(-Math.abs(z[k])));
      }
      return t;
    }
    if (sbce(net) && sbceSaturated(z, a, y)) return sbceValue(z, y);
    return LOSS[net.loss].v(a, y);
  }
  function batchLoss(net, X, Y) {
    var s = 0;
    X.forEach(function (x, k) { var f = forwardRow(x, net); s += exampleLoss(net, f.z[f.z.length - 1], f.a[f.a.length - 1], Y[k]); });
    return s / X.length;
  }

  // The whole step, every number, shaped as the glassnet.trace/1 document.
  function step(net) {
    var X = net.input, Y = net.target, m = X.length, n = net.layers.length;
    var rows = X.map(function (x) { return forwardRow(x, net); });
    var saturated = X.map(function () { return false; });  // the output δ taken exact
    var layers = net.layers.map(function (L, l) {
      return { index: l + 1, activation: L.activation, W: L.W, b: L.b,
        z: rows.map(function (r) { return r.z[l]; }), a: rows.map(function (r) { return r.a[l]; }),
        dL_da: [], da_dz: [], delta: [] };
    });
    var directs = [];  // the output's fused δ of each example
    for (var l = n - 1; l >= 0; l--) {
      var Lr = layers[l], act = Lr.activation;
      for (var k = 0; k < m; k++) {
        var z = Lr.z[k], a = Lr.a[k], g, d, delta;
        if (l === n - 1) g = LOSS[net.loss].g(a, Y[k]);
        else {
          var Wn = net.layers[l + 1].W, dn = layers[l + 1].delta[k];
          g = a.map(function (_, j) { var s = 0; for (var q = 0; q < dn.length; q++) s += dn[q] * Wn[j][q]; return s; });
        }
        if (act === "softmax") {
          d = a.map(function (ai, i) { return a.map(function (aj, j) { return (i === j ? ai : 0) - ai * aj; }); });
          var dot = 0;
          for (var q = 0; q < a.length; q++) dot += a[q] * g[q];
          delta = a.map(function (ai, i) { return ai * (g[i] - dot); });
        } else {
          d = z.map(function (zj, j) { return ACT[act].d(zj, a[j]); });
          delta = g.map(function (gj, j) { return gj * d[j]; });
        }
        if (l === n - 1 && ((act === "softmax" && net.loss === "cross_entropy") ||
            (act === "sigmoid" && net.loss === "binary_cross_entropy"))) {
          // as the engine: where the output saturated, 0 · ∞ loses δ; take the fused
          // δ, a Σy − y for softmax (a − y for one-hot rows), a − y for sigmoid
          var total = act === "softmax" ? Y[k].reduce(function (p, v) { return p + v; }, 0) : 1;
          var direct = a.map(function (ai, i) { return ai * total - Y[k][i]; });
          var off = delta.some(function (v, i) {
            return !(Math.abs(v - direct[i]) <= 1e-9 * Math.abs(direct[i]) + 1e-12);
          });
          directs.push(direct);
          if (off) saturated[k] = true;
        }
        if (l === n - 1 && sbce(net) && sbceSaturated(z, a, Y[k])) {
          // as the engine: this row's ∂ℓ/∂a and δ from the logits
          g = sbceGradient(z, a, Y[k]); delta = sbceDelta(z, Y[k]); saturated[k] = true;
        }
        Lr.dL_da.push(g); Lr.da_dz.push(d); Lr.delta.push(delta);
      }
      // as the engine: one example off takes the fused δ for the whole batch (only the
      // examples off are said to have saturated: the others' paths still sum to theirs)
      if (l === n - 1 && directs.length && saturated.some(Boolean)) Lr.delta = directs;
    }
    layers.forEach(function (Lr, l) {
      var prev = l === 0 ? X : layers[l - 1].a;
      Lr.grad_W = Lr.W.map(function (row, i) {
        return row.map(function (_, j) { var s = 0; for (var k = 0; k < m; k++) s += prev[k][i] * Lr.delta[k][j]; return s / m; });
      });
      Lr.grad_b = Lr.b.map(function (_, j) { var s = 0; for (var k = 0; k < m; k++) s += Lr.delta[k][j]; return s / m; });
      Lr.W_new = Lr.W.map(function (row, i) { return row.map(function (w, j) { return w - net.learning_rate * Lr.grad_W[i][j]; }); });
      Lr.b_new = Lr.b.map(function (b, j) { return b - net.learning_rate * Lr.grad_b[j]; });
    });
    var after = { loss: net.loss, layers: layers.map(function (Lr) { return { activation: Lr.activation, W: Lr.W_new, b: Lr.b_new }; }) };
    return { format: "glassnet.trace/1", loss_name: net.loss, learning_rate: net.learning_rate,
      input: X, target: Y, loss: batchLoss(net, X, Y), loss_after: batchLoss(after, X, Y), layers: layers,
      saturated: saturated };
  }

  // as glassnet.render.numbers.shown_trace: each sum of the step recomputed from the
  // numbers shown before it; within RESIDUE of its terms' sizes it is float residue of a
  // sum that is 0, and shown as 0, with what follows from it alone
  var RESIDUE = 32 * 2.220446049250313e-16;
  var DIFFERENCE = { half_squared_error: 1, squared_error: 2, mean_squared_error: 2 };
  var THROUGH_ZERO = { identity: 1, relu: 1, leaky_relu: 1, tanh: 1, elu: 1 };  // f(0) = 0
  var KINK_DERIVATIVE = { relu: 0, leaky_relu: 1 };  // f′(0): a z shown 0 keeps the f′ beside it true
  var LINEAR = { identity: 1, relu: 1, leaky_relu: 1 };
  // (terms that overflow bound nothing: an ∞ is no residue)
  function zeroIf(value, sum, terms) { return isFinite(terms) && Math.abs(sum) <= RESIDUE * terms ? 0 : value; }
  function fused(activation, loss) {
    return (activation === "softmax" && loss === "cross_entropy") || (activation === "sigmoid" && loss === "binary_cross_entropy");
  }
  function shownTrace(t) {
    var m = t.input.length, eta = t.learning_rate, Y = t.target, n = t.layers.length;
    var S = t.layers.map(function (Lr) { return { index: Lr.index, activation: Lr.activation, W: Lr.W, b: Lr.b, da_dz: Lr.da_dz }; });
    var aPrev = t.input;
    t.layers.forEach(function (Lr, l) {
      S[l].z = Lr.z.map(function (row, k) {
        return row.map(function (v, j) {
          var sum = Lr.b[j], terms = Math.abs(Lr.b[j]);
          for (var i = 0; i < aPrev[k].length; i++) { sum += aPrev[k][i] * Lr.W[i][j]; terms += Math.abs(aPrev[k][i] * Lr.W[i][j]); }
          var kink = KINK_DERIVATIVE[Lr.activation];
          if (kink !== undefined && Lr.da_dz[k][j] !== kink) return v;  // f′ taken across the kink
          return zeroIf(v, sum, terms);
        });
      });
      S[l].a = Lr.a.map(function (row, k) {  // f(0) = 0: a is of z's size, residue too
        return row.map(function (v, j) { return THROUGH_ZERO[Lr.activation] && S[l].z[k][j] === 0 && Math.abs(v) <= 2 * Math.abs(Lr.z[k][j]) ? 0 : v; });
      });
      aPrev = S[l].a;
    });
    var c = DIFFERENCE[t.loss_name];
    var settled = Y.map(function (row) { return row.map(function () { return false; }); });  // a − y shown 0, a ≠ y
    for (var l = n - 1; l >= 0; l--) {
      var Lr = t.layers[l], Sl = S[l], dNext = l < n - 1 ? S[l + 1].delta : null, WNext = l < n - 1 ? t.layers[l + 1].W : null;
      Sl.dL_da = Lr.dL_da.map(function (row, k) {
        return row.map(function (v, j) {
          var sum = 0, terms = 0;
          if (dNext) {
            for (var q = 0; q < dNext[k].length; q++) { sum += dNext[k][q] * WNext[j][q]; terms += Math.abs(dNext[k][q] * WNext[j][q]); }
          } else if (c !== undefined && LINEAR[Lr.activation]) {  // a − y, a a sum itself
            sum = c * (Sl.a[k][j] - Y[k][j]); terms = c * (Math.abs(Sl.a[k][j]) + Math.abs(Y[k][j]));
            var shownV = zeroIf(v, sum, terms);
            settled[k][j] = shownV === 0 && v !== 0;
            return shownV;
          } else return v;
          return zeroIf(v, sum, terms);
        });
      });
      Sl.delta = Lr.delta.map(function (row, k) {
        return row.map(function (v, j) {
          if (l === n - 1 && fused(Lr.activation, t.loss_name)) return v;  // a Σy − y, as the engine
          if (l === n - 1 && t.saturated[k]) return v;  // from the logits, as the engine
          if (Lr.activation !== "softmax") return Sl.dL_da[k][j] === 0 ? 0 : v;  // a product
          var sum = 0, terms = 0;
          for (var i = 0; i < row.length; i++) { sum += Sl.dL_da[k][i] * Lr.da_dz[k][i][j]; terms += Math.abs(Sl.dL_da[k][i] * Lr.da_dz[k][i][j]); }
          return zeroIf(v, sum, terms);
        });
      });
    }
    aPrev = t.input;
    t.layers.forEach(function (Lr, l) {
      var d = S[l].delta;
      S[l].grad_W = Lr.grad_W.map(function (row, i) {
        return row.map(function (v, j) {
          var sum = 0, terms = 0;
          for (var k = 0; k < m; k++) { sum += aPrev[k][i] * d[k][j]; terms += Math.abs(aPrev[k][i] * d[k][j]); }
          return zeroIf(v, sum / m, terms / m);
        });
      });
      S[l].grad_b = Lr.grad_b.map(function (v, j) {
        var sum = 0, terms = 0;
        for (var k = 0; k < m; k++) { sum += d[k][j]; terms += Math.abs(d[k][j]); }
        return zeroIf(v, sum / m, terms / m);
      });
      S[l].W_new = Lr.W_new.map(function (row, i) {
        return row.map(function (v, j) { return zeroIf(v, Lr.W[i][j] - eta * S[l].grad_W[i][j], Math.abs(Lr.W[i][j]) + eta * Math.abs(S[l].grad_W[i][j])); });
      });
      S[l].b_new = Lr.b_new.map(function (v, j) { return zeroIf(v, Lr.b[j] - eta * S[l].grad_b[j], Math.abs(Lr.b[j]) + eta * Math.abs(S[l].grad_b[j])); });
      aPrev = S[l].a;
    });
    // as the Python: where the output's a − y is shown 0, ℓ is the loss's own of the a
    // shown with y there; L after is 0 where L is 0 and no update shown changes its parameter
    var loss = t.loss, lossAfter = t.loss_after, out = S[n - 1].a;
    if (settled.some(function (row) { return row.some(Boolean); })) {
      loss = 0;
      out.forEach(function (row, k) {
        loss += LOSS[t.loss_name].v(row.map(function (v, j) { return settled[k][j] ? Y[k][j] : v; }), Y[k]);
      });
      loss /= m;
    }
    var same = function (p, q) { return p.every(function (v, i) { return Array.isArray(v) ? same(v, q[i]) : v === q[i]; }); };
    if (loss === 0 && S.every(function (Sl) { return same(Sl.W_new, Sl.W) && same(Sl.b_new, Sl.b); })) lossAfter = 0;
    return { loss: loss, loss_after: lossAfter, layers: S };
  }

  // ---- the page ------------------------------------------------------------------------
  // the documents write a number beyond float64 as "inf", "-inf" or "nan" (JSON has none)
  var NONFINITE = { inf: Infinity, "-inf": -Infinity, nan: NaN };
  var revive = function (key, v) { return typeof v === "string" && NONFINITE.hasOwnProperty(v) ? NONFINITE[v] : v; };
  var data = JSON.parse(document.getElementById("glassnet-trace").textContent, revive);
  var check = JSON.parse(document.getElementById("glassnet-check").textContent || "null", revive);
  var net = { input: data.input, target: data.target, loss: data.loss_name, learning_rate: data.learning_rate,
    layers: data.layers.map(function (L) { return { activation: L.activation, W: L.W, b: L.b }; }) };
  var root = document.getElementById("glassnet");
  // a spec written W x (weights_layout = "out_in") is shown as written: W a row per unit,
  // z = W a + b, vectors as columns; the trace holds every W as x W either way
  var W_X = root.getAttribute("data-weights") === "w_x";
  function T(M) { return M[0].map(function (_, j) { return M.map(function (r) { return r[j]; }); }); }
  function written(M) { return W_X ? T(M) : M; }
  function wName(l, i, j) {  // the weight from unit i of layer l − 1 to unit j of layer l
    return "W" + l + "[" + (W_X ? j + 1 + "," + (i + 1) : i + 1 + "," + (j + 1)) + "]";
  }
  var nL = net.layers.length;
  var STAGES = [];
  for (var s = 1; s <= nL; s++) STAGES.push("forward-" + s);
  STAGES.push("loss");
  for (s = nL; s >= 1; s--) STAGES.push("backward-" + s);
  STAGES.push("update");
  var stage = 0, example = 0, trace = step(net), shown = shownTrace(trace);
  var detailOf = null;  // the weight or unit whose numbers #detail shows: redrawn with the step
  var fmt = function (v) {
    // as the text and the Markdown write it (Python's %.5g): 5 significant digits,
    // trailing zeros of a fraction dropped (10000 stays 10000), a power of ten below
    // 1e-4 (toPrecision writes 0.000012346 down to 1e-6) and an exponent of two digits
    var x = Number(v), s = x.toPrecision(5), sci = x.toExponential(4);
    if (x !== 0 && isFinite(x) && Number(sci.slice(sci.indexOf("e") + 1)) < -4) s = sci;
    var e = s.indexOf("e");
    var mantissa = e < 0 ? s : s.slice(0, e), exponent = e < 0 ? "" : s.slice(e);
    if (mantissa.indexOf(".") >= 0) mantissa = mantissa.replace(/0+$/, "").replace(/\.$/, "");
    return mantissa + exponent.replace(/^e([+-])(\d)$/, "e$10$2");  // 1.2345e-10 keeps its 0
  };


  // a number in TeX as the Markdown writes it: 1.2 \times 10^{-7}, not "1.2e-7" (KaTeX
  // reads e as a variable and - as a minus), and ∞ and NaN as symbols
  function texNumber(v) {
    if (isNaN(v)) return "\\text{NaN}";
    if (!isFinite(v)) return v > 0 ? "\\infty" : "-\\infty";
    var s = fmt(v), e = s.indexOf("e");
    return e < 0 ? s : s.slice(0, e) + " \\times 10^{" + Number(s.slice(e + 1)) + "}";
  }
  function tex(s) {
    try { return window.katex.renderToString(s, { output: "mathml", throwOnError: false }); } catch (e) { return s; }
  }
  function known(key, l) {
    // is the value computed at the current stage?
    var at = STAGES[stage];
    var fwd = stage >= STAGES.indexOf("forward-" + l);
    if (key === "z" || key === "a") return fwd;
    if (key === "dL_da" || key === "da_dz" || key === "delta") return stage >= STAGES.indexOf("backward-" + l);
    return at === "update";
  }

  // the drawing: edges drawn again only when a weight is edited (a stage's units change
  // with every step shown; re-laying out every edge cost seconds on digits' 18944)
  var sizes = [net.input[0].length].concat(net.layers.map(function (L) { return L.b.length; }));
  var svgHeight = 90 * Math.max.apply(null, sizes) + 40;
  document.getElementById("net").setAttribute("viewBox", "0 0 " + 180 * sizes.length + " " + svgHeight);
  if (svgHeight > 1200) {  // many units: drawn at their own size in a box that scrolls, not
    // shrunk to the window (a layer of 256 units was a sliver with text a pixel high);
    // up to 13 units a layer, shrunk to at most 70 % of the window, the text stays legible
    var svg = document.getElementById("net");
    svg.classList.add("at-size");
    svg.style.width = 180 * sizes.length + "px";
    svg.style.height = svgHeight + "px";
  }
  document.getElementById("net").innerHTML = '<g id="edges"></g><g id="units"></g>';
  function pos(l, j) { return [90 + 180 * l, 50 + (svgHeight - 40) * (j + 0.5) / sizes[l] - 20]; }
  function drawEdges() {
    var out = "";
    var wmax = 1e-12;
    net.layers.forEach(function (L) { L.W.forEach(function (r) { r.forEach(function (w) { wmax = Math.max(wmax, Math.abs(w)); }); }); });
    net.layers.forEach(function (L, l) {
      L.W.forEach(function (row, i) {
        row.forEach(function (w, j) {
          var p = pos(l, i), q = pos(l + 1, j);
          out += '<line class="w ' + (w >= 0 ? "pos" : "neg") + '" tabindex="0" role="button" aria-label="weight ' + wName(l + 1, i, j) +
            '" data-weight="' + (l + 1) + ":" + (i + 1) + ":" + (j + 1) + '" x1="' + p[0] + '" y1="' + p[1] + '" x2="' + q[0] + '" y2="' + q[1] +
            '" stroke-width="' + (1 + 5 * Math.abs(w) / wmax).toFixed(2) + '"><title>' + wName(l + 1, i, j) + " = " + w + "</title></line>";
        });
      });
    });
    document.getElementById("edges").innerHTML = out;
  }
  function drawUnits() {
    var out = "";
    sizes.forEach(function (n, l) {
      for (var j = 0; j < n; j++) {
        var p = pos(l, j);
        var active = l > 0 && (STAGES[stage] === "forward-" + l || STAGES[stage] === "backward-" + l);
        out += '<g class="unit' + (active ? " active" : "") + '" tabindex="0" role="button" data-unit="' + l + ":" + (j + 1) + '" transform="translate(' + p[0] + "," + p[1] + ')">';
        out += '<circle r="30"></circle>';
        var rows = l === 0 ? [["x", data.input[example][j]]] :
          [["z", trace.layers[l - 1].z[example][j]], ["a", trace.layers[l - 1].a[example][j]], ["delta", trace.layers[l - 1].delta[example][j]]];
        rows.forEach(function (kv, r) {
          var show = l === 0 || known(kv[0], l);
          var status = checkStatus(l, kv[0], j);
          var label = (kv[0] === "delta" ? "δ" : kv[0]) + " " + (show ? fmt(l === 0 ? kv[1] : shown.layers[l - 1][kv[0]][example][j]) : "·");
          // over 9 characters (δ 0.0013364) the text would run past the circle: fitted to it
          var fit = label.length > 9 ? ' textLength="54" lengthAdjust="spacingAndGlyphs"' : "";
          out += '<text y="' + (-10 + 14 * r) + '" data-key="' + kv[0] + '"' + (show ? ' data-value="' + kv[1] + '"' : "") +
            (status ? ' class="' + status + '"' : "") + fit + ">" + label + "</text>";
        });
        out += "</g>";
      }
    });
    document.getElementById("units").innerHTML = out;
  }

  function checkStatus(l, key, j) {
    if (!check || l === 0) return "";
    var found = check.findings.filter(function (f) { return f.layer === l && f.key === key && f.index[f.index.length - 1] === j + 1 && (f.index.length < 2 || f.index[0] === example + 1); });
    return found.length ? found[0].status : "";
  }

  // a matrix of over SIDE rows or columns shows its EDGE first and last of each, as NumPy
  // prints a large array: typesetting every number of digits' W (16384) took seconds
  var SIDE = 16, EDGE = 4, elided = false;
  function corners(list, gap) {  // (before any number is typeset: only these are)
    if (list.length <= SIDE) return list;
    elided = true;
    return list.slice(0, EDGE).concat([gap], list.slice(-EDGE));
  }
  function matrix(rows) {  // (the numbers shown: see shownTrace)
    var cells = corners(rows, null).map(function (r) {
      return r === null ? null : corners(r, null).map(function (v) { return v === null ? "\\cdots" : texNumber(v); });
    });
    var gap = cells[0].map(function (c) { return c === "\\cdots" ? "\\ddots" : "\\vdots"; });
    cells = cells.map(function (r) { return r || gap; });  // the elided rows: ⋮, and ⋱ under ⋯
    return "\\begin{bmatrix}" + cells.map(function (r) { return r.join(" & "); }).join("\\\\") + "\\end{bmatrix}";
  }
  function vec(v) { return matrix(W_X ? v.map(function (x) { return [x]; }) : [v]); }  // a row, or for W x a column
  function equation() {
    var at = STAGES[stage], k = example, parts = [];
    elided = false;
    if (at.indexOf("forward-") === 0) {
      var l = +at.split("-")[1], L = shown.layers[l - 1], prev = l === 1 ? data.input[k] : shown.layers[l - 2].a[k];
      var aW = W_X ? ["W^{[" + l + "]} a^{[" + (l - 1) + "]}", matrix(T(L.W)) + vec(prev)]
        : ["a^{[" + (l - 1) + "]} W^{[" + l + "]}", vec(prev) + matrix(L.W)];
      parts.push("z^{[" + l + "]} = " + aW[0] + " + b^{[" + l + "]}");
      // the product, then its result on a line of its own: one line of both runs past the aside
      parts.push("z^{[" + l + "]} = " + aW[1] + " + " + vec(L.b));
      parts.push("z^{[" + l + "]} = " + vec(L.z[k]));
      parts.push("a^{[" + l + "]} = " + LATEX[L.activation][0] + " = " + vec(L.a[k]));
    } else if (at === "loss") {
      parts.push("L = \\frac{1}{m}\\sum_k \\ell(a^{(k)}, y^{(k)}) = " + texNumber(shown.loss));
    } else if (at.indexOf("backward-") === 0) {
      var b = +at.split("-")[1], B = shown.layers[b - 1];
      var back = W_X ? "W^{[" + (b + 1) + "]\\top} \\delta^{[" + (b + 1) + "]}" : "\\delta^{[" + (b + 1) + "]} W^{[" + (b + 1) + "]\\top}";
      parts.push("\\frac{\\partial \\ell}{\\partial a^{[" + b + "]}} = " + (b === nL ? "" : back + " = ") + vec(B.dL_da[k]));
      parts.push("f'(z^{[" + b + "]}) = " + LATEX[B.activation][1] + " = " + (B.activation === "softmax" ? matrix(B.da_dz[k]) : vec(B.da_dz[k])));
      parts.push("\\delta^{[" + b + "]} = " + (B.activation === "softmax" ? "\\left(\\sum_i \\frac{\\partial \\ell}{\\partial a_i} J_{ij}\\right)_j" : "\\frac{\\partial \\ell}{\\partial a} \\odot f'(z)") + " = " + vec(B.delta[k]));
    } else {
      shown.layers.forEach(function (U) {
        parts.push("W^{[" + U.index + "]} \\leftarrow W - \\eta \\frac{\\partial L}{\\partial W} = " + matrix(written(U.W_new)));
        parts.push("b^{[" + U.index + "]} \\leftarrow " + vec(U.b_new));
      });
      parts.push("L_{\\text{after}} = " + texNumber(shown.loss_after));
    }
    document.getElementById("equation").innerHTML = parts.map(function (p) { return "<div class=\"eq\">" + tex(p) + "</div>"; }).join("") +
      (elided ? "<p class=\"elided\">A matrix of over " + SIDE + " rows or columns shows its first and last " + EDGE +
        "; z, a and δ are on the units, W in the editors below, a weight's update in its details (click it), and glassnet explain --format text (or json) prints every number.</p>" : "");
  }

  // ∂L/∂W_ij as the sum over every path from the weight to the loss
  function paths(l, i, j) {
    var k = example, m = net.input.length;
    var list = [[j]];
    for (var q = l; q < nL; q++) {
      var next = [];
      list.forEach(function (p) { for (var u = 0; u < net.layers[q].b.length; u++) next.push(p.concat([u])); });
      list = next;
      if (list.length > 64) return null;
    }
    // a softmax output couples its units: from z_u the paths go on to every output a_o
    var last = trace.layers[nL - 1], outs = last.activation === "softmax" ? last.b.length : 0;
    if (outs) {
      var fanned = [];
      list.forEach(function (p) { for (var o = 0; o < outs; o++) fanned.push(p.concat([-1 - o])); });
      list = fanned;
      if (list.length > 64) return null;
    }
    return list.map(function (p) {
      // f'(z) of unit p[0] in layer l, then W and f' along the path, ∂ℓ/∂a at the end
      var factors = [], value = 1, units = [];
      for (var s = 0; s < p.length; s++) {
        if (p[s] < 0) continue;  // the softmax's output, handled below
        var Lr = trace.layers[l - 1 + s], d;
        if (s > 0) { var w = net.layers[l - 1 + s].W[p[s - 1]][p[s]]; factors.push("W=" + fmt(w)); value *= w; }
        if (Lr.activation === "softmax") {
          var o = -1 - p[s + 1];
          d = Lr.da_dz[k][o][p[s]];  // ∂a_o/∂z_u
          factors.push("∂a" + (o + 1) + "/∂z" + (p[s] + 1) + "=" + fmt(d)); value *= d;
          units.push(p[s] + 1); units.push("a" + (o + 1));
          p = p.slice(0, s + 1).concat([o]);
          break;
        }
        d = Lr.da_dz[k][p[s]];
        factors.push("f'=" + fmt(d)); value *= d;
        units.push(p[s] + 1);
      }
      var g = trace.layers[nL - 1].dL_da[k][p[p.length - 1]];
      factors.push("∂ℓ/∂a=" + fmt(g)); value *= g;
      var prev = l === 1 ? data.input[k][i] : trace.layers[l - 2].a[k][i];
      factors.unshift("a=" + fmt(prev)); value *= prev / m;
      if (m > 1) factors.push("1/m=1/" + m);  // the mean over the batch: the factors' product is the value
      return { units: units.join("→"), factors: factors.join(" · "), value: value };
    });
  }

  // δ of a saturated output, as the engine takes it
  function exactForm(activation) {
    if (sbce(net)) return "computed from the logits z, with ln(1 − a_d) = lse_{k≠d} z − lse z";
    return activation === "softmax" ? "a Σy − y" : "a − y";
  }
  function inParens(v) {  // a factor: η · (−0.3), η · (1.2 × 10⁻⁷)
    var s = texNumber(v);
    return v < 0 || s.indexOf("times") >= 0 ? "\\left(" + s + "\\right)" : s;
  }
  function showWeight(el) {
    detailOf = ["data-weight", el.getAttribute("data-weight")];
    var parts = el.getAttribute("data-weight").split(":").map(Number), l = parts[0], i = parts[1] - 1, j = parts[2] - 1;
    var L = trace.layers[l - 1];
    // a hidden softmax couples the units below it: no list of single paths there
    var hiddenSoftmax = trace.layers.slice(l - 1, nL - 1).some(function (U) { return U.activation === "softmax"; });
    var list = hiddenSoftmax || trace.saturated[example] ? null : paths(l, i, j);
    var html = "<h3>" + wName(l, i, j) + " = " + fmt(net.layers[l - 1].W[i][j]) + "</h3>";
    var w = "W_{" + (W_X ? j + 1 + "" + (i + 1) : i + 1 + "" + (j + 1)) + "}", dL = "\\frac{\\partial L}{\\partial " + w + "}";
    var ai = "a_{" + (i + 1) + "}^{(k)}", dj = "\\delta_{" + (j + 1) + "}^{(k)}";
    html += tex(dL + " = \\frac{1}{m}\\sum_k " + (W_X ? dj + " " + ai : ai + " " + dj) + " = " + texNumber(shown.layers[l - 1].grad_W[i][j]));
    if (STAGES[stage] === "update") {  // the weight's own update (the equation shows W's corners only)
      html += tex(w + " \\leftarrow " + w + " - \\eta " + dL + " = " +
        texNumber(net.layers[l - 1].W[i][j]) + " - " + inParens(net.learning_rate) + " \\cdot " + inParens(shown.layers[l - 1].grad_W[i][j]) + " = " + texNumber(shown.layers[l - 1].W_new[i][j]));
    }
    if (list) {
      html += "<p>Every path from the weight to the loss (example " + (example + 1) + "), summed:</p><ol class=\"paths\">";
      var total = 0, terms = 0;
      list.forEach(function (p) { total += p.value; terms += Math.abs(p.value); html += "<li>units " + p.units + ": " + p.factors + " = " + fmt(p.value) + "</li>"; });
      html += "</ol><p>Σ = " + fmt(zeroIf(total, total, terms)) + (net.input.length > 1 ? " (this example's share)" : "") + "</p>";
    } else if (trace.saturated[example] && !hiddenSoftmax) {
      html += "<p>The output saturated (a rounded to 0 or 1): along each path ∂ℓ/∂a · f′ is a huge number times 0, which loses δ, so δ of the output is taken as the engine takes it, " +
        exactForm(trace.layers[nL - 1].activation) + " (click its units).</p>";
    } else {
      html += "<p>δ" + (j + 1) + " of layer " + l + " is formed from the layer above (click the unit).</p>";
    }
    document.getElementById("detail").innerHTML = html;
  }
  function showUnit(el) {
    detailOf = ["data-unit", el.getAttribute("data-unit")];
    var parts = el.getAttribute("data-unit").split(":").map(Number), l = parts[0], j = parts[1] - 1;
    if (l === 0) { document.getElementById("detail").innerHTML = "<h3>input x" + (j + 1) + " = " + fmt(data.input[example][j]) + "</h3>"; return; }
    var L = shown.layers[l - 1], k = example;
    var d = L.activation === "softmax" ? L.da_dz[k][j][j] : L.da_dz[k][j];
    var html = "<h3>layer " + l + ", unit " + (j + 1) + " (" + L.activation + ")</h3><ul>" +
      "<li>z = " + fmt(L.z[k][j]) + "</li><li>a = f(z) = " + fmt(L.a[k][j]) + "</li><li>f'(z) = " + fmt(d) + "</li><li>δ = " + fmt(L.delta[k][j]) + "</li></ul>";
    if (l < nL && L.activation === "softmax") {
      // every a_i of a softmax depends on z_j: δ_j = Σ_i J_ij ∂ℓ/∂a_i
      html += "<p>δ = Σ_i J_ij ∂ℓ/∂a_i = " + L.dL_da[k].map(function (g, i) { return fmt(L.da_dz[k][i][j]) + "·" + fmt(g); }).join(" + ") +
        ", with ∂ℓ/∂a_i = " + (W_X ? "Σ_k W_ki δ_k" : "Σ_k δ_k W_ik") + " of the layer above</p>";
    } else if (l < nL) {
      var U = shown.layers[l];
      html += "<p>δ = (" + (W_X ? "Σ_k W_kj δ_k" : "Σ_k δ_k W_jk") + ") · f'(z) = (" + U.delta[k].map(function (dk, q) {
        var w = fmt(net.layers[l].W[j][q]);
        return W_X ? w + "·" + fmt(dk) : fmt(dk) + "·" + w;
      }).join(" + ") + ") · " + fmt(d) + "</p>";
    } else {
      html += "<p>δ = " + (L.activation === "softmax" ? "Σ_i J_ij ∂ℓ/∂a_i" : "∂ℓ/∂a · f'(z)") + ", ∂ℓ/∂a = " + fmt(L.dL_da[k][j]) + "</p>";
      if (trace.saturated[k]) {
        html += "<p>The output saturated (a rounded to 0 or 1), where that product is a huge number times 0 and loses δ: δ is as the engine takes it, " +
          exactForm(L.activation) + ".</p>";
      }
    }
    document.getElementById("detail").innerHTML = html;
  }

  // each field's text, as the step now takes it
  function fieldText(name) {
    if (name === "input" || name === "target") return data[name][example].join(", ");
    return written(net.layers[+name.split(":")[1]].W).map(function (r) { return r.join(", "); }).join("\n");
  }
  function editors() {
    var box = document.getElementById("editors");
    if (box.querySelector("[data-edit]")) {
      // the fields kept, their text set: made again, they would lose the focus of the one
      // the person just clicked into (the change of the one before fires first)
      box.querySelectorAll("[data-edit]").forEach(function (el) {
        el.value = fieldText(el.getAttribute("data-edit"));
        el.removeAttribute("aria-invalid");
      });
      document.getElementById("edit-error").textContent = "";
      return;
    }
    var html = "<label>input x <input data-edit=\"input\" value=\"" + fieldText("input") + "\"></label>" +
      "<label>target y <input data-edit=\"target\" value=\"" + fieldText("target") + "\"></label>";
    net.layers.forEach(function (L, l) {
      html += "<label>W" + (l + 1) + " (rows: " + (W_X ? "units" : "inputs") + ") <textarea data-edit=\"W:" + l + "\" rows=\"" + Math.min(written(L.W).length, 12) + "\">" + fieldText("W:" + l) + "</textarea></label>";
    });
    html += "<p id=\"edit-error\" role=\"alert\"></p>";
    box.innerHTML = html;
  }
  // plain decimal numbers only (no hex, no Infinity): the spec's own rule, finite
  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  function parseRow(text) {
    return text.split(/[\s,]+/).filter(Boolean).map(function (t) { var v = NUMBER.test(t) ? Number(t) : NaN; return isFinite(v) ? v : NaN; });
  }
  function refuse(field, message) {
    field.setAttribute("aria-invalid", "true");
    document.getElementById("edit-error").textContent = message + " — the step shown is still the one before this edit.";
  }
  // the spec's rules for a cross-entropy (glassnet.network's PROBABILITY_TARGETS and
  // PROBABILITY_RANGE): an edit that breaks them is refused, as glassnet explain refuses
  // such a spec, not shown as a step (a negative "cross-entropy")
  var RULES = JSON.parse(document.getElementById("glassnet-rules").textContent || "{}");
  function outsideRules(t) {
    if (RULES.targets) {
      var ys = [].concat.apply([], data.target), low = Math.min.apply(null, ys), high = Math.max.apply(null, ys);
      if (low < 0 || high > 1) return net.loss + " takes targets in [0, 1] (probabilities, 0/1 labels), found values from " + fmt(low) + " to " + fmt(high);
    }
    if (RULES.low === undefined) return null;
    var A = t.layers[nL - 1].a;
    for (var k = 0; k < A.length; k++) {
      for (var j = 0; j < A[k].length; j++) {
        var v = A[k][j];
        if (v >= RULES.low && (RULES.high === null || v <= RULES.high)) continue;
        if (!isFinite(v)) return "layer " + nL + " would give a = " + fmt(v) + ": the numbers overflow (weights or inputs too large)";
        return net.loss + " takes outputs " + (RULES.high === null ? "a ≥ 0" : "0 ≤ a ≤ 1") + " (probabilities); layer " + nL +
          " (" + net.layers[nL - 1].activation + ") would give a = " + fmt(v) + (A.length > 1 ? " (example " + (k + 1) + ", unit " + (j + 1) + ")" : " (unit " + (j + 1) + ")") +
          ": use a sigmoid or softmax output, or a squared error";
      }
    }
    return null;
  }
  document.getElementById("editors").addEventListener("change", function (ev) {
    var what = ev.target.getAttribute("data-edit");
    if (!what) return;
    var undo;  // puts back what the edit replaced, if its step breaks the rules
    if (what === "input" || what === "target") {
      var row = parseRow(ev.target.value), rowsOf = what === "input" ? data.input : data.target;
      var want = rowsOf[example].length;
      if (row.length !== want || row.some(isNaN)) { refuse(ev.target, what + ": expected " + want + " finite numbers"); return; }
      var oldRow = rowsOf[example], at = example;
      undo = function () { rowsOf[at] = oldRow; };
      rowsOf[example] = row;
    } else {
      var l = +what.split(":")[1];
      var rows = ev.target.value.split("\n").filter(function (r) { return r.trim(); }).map(parseRow);
      var W = net.layers[l].W, asWritten = written(W);  // the field's rows are the spec's
      if (rows.length !== asWritten.length || rows.some(function (r) { return r.length !== asWritten[0].length || r.some(isNaN); })) {
        refuse(ev.target, "W" + (l + 1) + ": expected " + asWritten.length + " rows of " + asWritten[0].length + " finite numbers"); return;
      }
      undo = function () { net.layers[l].W = W; };
      net.layers[l].W = written(rows);
    }
    net.input = data.input; net.target = data.target;
    var next = step(net), problem = outsideRules(next);
    if (problem) { undo(); refuse(ev.target, (what.indexOf("W:") === 0 ? "W" + (+what.split(":")[1] + 1) : what) + ": " + problem); return; }
    if (check) {  // the claims were of the step before the edit: no marks on this one
      check = null;
      document.querySelectorAll("header .worksheet").forEach(function (el) { el.classList.add("stale"); });
    }
    trace = next;
    shown = shownTrace(trace);
    editors();  // every field as the step now takes it: a refused one's text goes with its message
    if (what !== "input" && what !== "target") drawEdges();  // a weight's edge
    render();
  });

  function render() {
    root.setAttribute("data-stage", STAGES[stage]);
    document.documentElement.setAttribute("data-stage", STAGES[stage]);
    document.querySelector('[data-action="prev"]').disabled = stage === 0;
    document.querySelector('[data-action="next"]').disabled = stage === STAGES.length - 1;
    document.getElementById("stage-name").textContent = STAGES[stage].replace("-", " layer ");
    drawUnits();
    equation();
    if (detailOf) {  // the clicked weight or unit, with the numbers of this step and example
      var el = document.querySelector("[" + detailOf[0] + "=\"" + detailOf[1] + "\"]");
      if (el) (detailOf[0] === "data-weight" ? showWeight : showUnit)(el);
    }
  }
  function go(to) { stage = Math.max(0, Math.min(STAGES.length - 1, to)); render(); }
  document.getElementById("controls").addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b) return;
    var action = b.getAttribute("data-action");
    if (action === "next") go(stage + 1);
    else if (action === "prev") go(stage - 1);
    else if (action) go(STAGES.indexOf(action === "backward" ? "backward-" + nL : action === "forward" ? "forward-1" : action));
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.target.closest && ev.target.closest("input, textarea, select")) return;
    if (ev.key === "ArrowRight") go(stage + 1);
    if (ev.key === "ArrowLeft") go(stage - 1);
    if ((ev.key === "Enter" || ev.key === " ") && ev.target.getAttribute) {  // a role="button"'s keys
      if (ev.key === " " && (ev.target.hasAttribute("data-weight") || ev.target.hasAttribute("data-unit"))) ev.preventDefault();
      if (ev.target.hasAttribute("data-weight")) showWeight(ev.target);
      if (ev.target.hasAttribute("data-unit")) showUnit(ev.target);
    }
  });
  document.getElementById("net").addEventListener("click", function (ev) {
    var w = ev.target.closest("[data-weight]"), u = ev.target.closest("[data-unit]");
    if (w) showWeight(w); else if (u) showUnit(u);
  });
  var sel = document.getElementById("example");
  if (net.input.length > 1) {
    sel.innerHTML = net.input.map(function (_, k) { return "<option value=\"" + k + "\">example " + (k + 1) + "</option>"; }).join("");
    sel.addEventListener("change", function () { example = +sel.value; editors(); render(); });
  } else sel.hidden = true;
  // trace(): the glassnet.trace/1 object, without the page's own per-example flags
  function traceDocument() { var t = Object.assign({}, trace); delete t.saturated; return t; }
  window.glassnet = {
    step: step, net: net, trace: traceDocument, go: go,
    shown: function () { return shown; },
    saturated: function () { return trace.saturated; }  // per example: the output δ taken exact
  };
  editors();
  drawEdges();
  render();
})();
