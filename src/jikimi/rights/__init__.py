"""Data-subject rights requests (열람·정정·삭제·처리정지·동의 철회·자동화된 결정): see ``service``."""
