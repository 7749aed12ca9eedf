"""The 星级与嘉许 tab: star levels (overview, newly eligible, reviews) and honours."""
