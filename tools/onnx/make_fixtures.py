#!/usr/bin/env python3
"""Writes the small ONNX models Vigil's ONNX tests score, with Debian's python3-onnx (no training library needed).

    /usr/bin/python3 tools/onnx/make_fixtures.py tests/Vigil.Onnx.Tests/Fixtures

Each model scores the fraud probability of a row of Vigil inputs; the tests compute the same formula in C# and
compare. The parameters are fixed here, so the files are reproducible:
  linear.onnx    ai.onnx.ml LinearClassifier (LOGISTIC), one float input [N, 3], outputs label and probabilities
                 through a ZipMap, as sklearn-onnx writes a logistic regression
  trees.onnx     ai.onnx.ml TreeEnsembleClassifier (two trees, LOGISTIC), float input [N, 2], probabilities tensor
  sigmoid.onnx   plain MatMul, Add, Sigmoid over one input per feature ([N, 1] each), probability [N, 1]
The input names travel in the metadata (vigil.inputs) where one tensor holds several; the threshold in vigil.threshold.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ML = helper.make_opsetid("ai.onnx.ml", 3)
ONNX = helper.make_opsetid("", 13)


def save(graph, path, inputs=None, threshold=None):
    model = helper.make_model(graph, opset_imports=[ONNX, ML], producer_name="vigil-fixtures")
    model.ir_version = 8
    props = {}
    if inputs:
        props["vigil.inputs"] = ",".join(inputs)
    if threshold is not None:
        props["vigil.threshold"] = str(threshold)
    helper.set_model_props(model, props)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def zipmap_type():
    """seq(map(int64, float)): what ZipMap gives (onnx 1.12's helper has no map type maker)."""
    kind = onnx.TypeProto()
    kind.sequence_type.elem_type.map_type.key_type = TensorProto.INT64
    kind.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    return kind


def linear(path):
    # z = 0.02 * amount + 0.5 * customer_nb_tx_1d - 1.5 * terminal_risk_7d - 4
    node = helper.make_node(
        "LinearClassifier", ["X"], ["label", "scores"], domain="ai.onnx.ml",
        coefficients=[-0.02, -0.5, 1.5, 0.02, 0.5, -1.5], intercepts=[4.0, -4.0],
        classlabels_ints=[0, 1], post_transform="LOGISTIC", multi_class=0)
    zipmap = helper.make_node("ZipMap", ["scores"], ["probabilities"], domain="ai.onnx.ml", classlabels_int64s=[0, 1])
    graph = helper.make_graph(
        [node, zipmap], "linear",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 3])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
         helper.make_value_info("probabilities", zipmap_type())])
    save(graph, path, ["amount", "customer_nb_tx_1d", "terminal_risk_7d"], 0.5)


def trees(path):
    # Tree 0: amount < 100 ? -1.0 : (terminal_risk_7d < 0.5 ? 0.5 : 2.0); tree 1: terminal_risk_7d < 0.2 ? -0.5 : 1.0
    # The class-1 score is the sum of the leaves (class 0 gets nothing), then LOGISTIC.
    node = helper.make_node(
        "TreeEnsembleClassifier", ["X"], ["label", "probabilities"], domain="ai.onnx.ml",
        nodes_treeids=[0, 0, 0, 0, 0, 1, 1, 1],
        nodes_nodeids=[0, 1, 2, 3, 4, 0, 1, 2],
        nodes_featureids=[0, 0, 1, 0, 0, 1, 0, 0],
        nodes_values=[100.0, 0.0, 0.5, 0.0, 0.0, 0.2, 0.0, 0.0],
        nodes_modes=["BRANCH_LT", "LEAF", "BRANCH_LT", "LEAF", "LEAF", "BRANCH_LT", "LEAF", "LEAF"],
        nodes_truenodeids=[1, 0, 3, 0, 0, 1, 0, 0],
        nodes_falsenodeids=[2, 0, 4, 0, 0, 2, 0, 0],
        nodes_missing_value_tracks_true=[0] * 8,
        class_treeids=[0, 0, 0, 1, 1],
        class_nodeids=[1, 3, 4, 1, 2],
        class_ids=[1, 1, 1, 1, 1],
        class_weights=[-1.0, 0.5, 2.0, -0.5, 1.0],
        classlabels_int64s=[0, 1], post_transform="LOGISTIC")
    graph = helper.make_graph(
        [node], "trees",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])])
    save(graph, path, ["amount", "terminal_risk_7d"], 0.6)


def sigmoid(path):
    # p = sigmoid(0.01 * amount + 2 * terminal_risk_7d - 3), one input per feature, named as the feature.
    amount = helper.make_tensor_value_info("amount", TensorProto.FLOAT, [None, 1])
    risk = helper.make_tensor_value_info("terminal_risk_7d", TensorProto.FLOAT, [None, 1])
    weights = numpy_helper.from_array(np.array([[0.01], [2.0]], dtype=np.float32), "weights")
    bias = numpy_helper.from_array(np.array([-3.0], dtype=np.float32), "bias")
    nodes = [
        helper.make_node("Concat", ["amount", "terminal_risk_7d"], ["row"], axis=1),
        helper.make_node("MatMul", ["row", "weights"], ["z0"]),
        helper.make_node("Add", ["z0", "bias"], ["z"]),
        helper.make_node("Sigmoid", ["z"], ["probability"]),
    ]
    graph = helper.make_graph(nodes, "sigmoid", [amount, risk], [helper.make_tensor_value_info("probability", TensorProto.FLOAT, [None, 1])],
                              initializer=[weights, bias])
    save(graph, path)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    linear(os.path.join(out, "linear.onnx"))
    trees(os.path.join(out, "trees.onnx"))
    sigmoid(os.path.join(out, "sigmoid.onnx"))
    print("wrote linear.onnx, trees.onnx and sigmoid.onnx to", out)
