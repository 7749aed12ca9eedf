"""Printable documents made with ReportLab from plain data the services hand over (no Qt, no database)."""
