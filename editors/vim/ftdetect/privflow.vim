" privflow specs (.pflow)
autocmd BufNewFile,BufRead *.pflow setfiletype privflow
