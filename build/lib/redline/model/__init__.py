"""The learned statement classifier: sentences in, class probabilities out (ONNX, shipped in the package)."""

from redline.model.classifier import MODEL_DIR, StatementClassifier, load_classifier, model_digest

__all__ = ["MODEL_DIR", "StatementClassifier", "load_classifier", "model_digest"]
