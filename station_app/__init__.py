"""Station App (物业志愿服务站管理系统): a desktop program for community volunteer stations."""

__version__ = "0.1.0"
