"""CLI commands for the vault: database, keys, handlers, audit. Mounted by ``jikimi.cli``."""

from __future__ import annotations

import typer

db_app = typer.Typer(help="데이터베이스 (database): 스키마 업그레이드. Schema upgrades.", no_args_is_help=True)
keys_app = typer.Typer(help="키 관리 (keys): 마스터 키 생성과 교체. Master key creation and rotation.", no_args_is_help=True)
audit_app = typer.Typer(help="접속기록 (access log): 위변조 검증과 월간 점검 보고서. Verify the chain, monthly review.", no_args_is_help=True)
handlers_app = typer.Typer(help="개인정보취급자 (handlers): 계정과 역할. Handler accounts and roles.", no_args_is_help=True)
