"""evidence: the clinical evidence on IVIG in myositis, and audits of what documents claim."""

from .errors import EvidenceError, Problem

__version__ = "0.1.0"
__all__ = ["EvidenceError", "Problem", "__version__"]
